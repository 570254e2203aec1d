-- returns: aggregates
-- Victims identified in the period, counted (n) by the force area of their operation and what the
-- action plan scorecard asks of them: referred to the NRM within 30 days of identification
-- (`followed_up` when those 30 days have passed by the last day of the data, so recent victims
-- are not counted as unreferred), a child, nationality recorded.
with data_end as (
    select last_day(max(month)) as last_day from operation_month
),

victims as (
    select
        o.force_code,
        f.region_code,
        coalesce(v.nrm_referred_on <= v.identified_on + 30, false) as referred_in_30_days,
        v.identified_on + 30 <= d.last_day as followed_up,
        v.age_group = 'child' as is_child,
        v.nationality <> 'UNK' as known_nationality
    from victim as v
    join operation as o using (operation_id)
    join force as f on f.force_code = o.force_code
    cross join data_end as d
    where v.identified_on between $start and last_day($end)
      and in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
),

final as (
    select *, count(*) as n
    from victims
    group by all
)

select * from final;
