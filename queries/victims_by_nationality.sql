-- returns: aggregates
-- Victims identified each month by nationality (ISO alpha-3, UNK = not known), in the period
-- and in operations within the filters.
with victims as (
    select identified_month as month, nationality
    from victims_in_view($start, $end, $forces, $crime_types, $agencies)
),

final as (
    select month, nationality, count(*)::integer as victims
    from victims
    group by all
)

select * from final order by month, nationality;
