-- returns: aggregates
-- Victims identified in the period, in operations within the filters, counted by each
-- nationality: as their first nationality, and as any nationality they hold (first or second,
-- so a dual national counts under both of theirs).
with victims as (
    select victim_id, nationality, second_nationality
    from victims_in_view($start, $end, $forces, $crime_types, $agencies)
),

held as (
    select victim_id, nationality, true as first from victims
    union all
    select victim_id, second_nationality, false from victims where second_nationality is not null
),

final as (
    select
        nationality,
        count(*) filter (where first)::integer as by_first,
        count(*)::integer as by_any
    from held
    group by all
)

select * from final order by by_any desc, nationality;
