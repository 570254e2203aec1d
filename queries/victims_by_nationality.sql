-- returns: aggregates
-- Victims identified each month by nationality (ISO alpha-3, UNK = not known), in the period
-- and in operations within the filters.
with victims as (
    select
        date_trunc('month', v.identified_on)::date as month,
        v.nationality
    from victim as v
    join operation as o using (operation_id)
    where date_trunc('month', v.identified_on) between $start and $end
      and in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
),

final as (
    select month, nationality, count(*)::integer as victims
    from victims
    group by all
)

select * from final order by month, nationality;
