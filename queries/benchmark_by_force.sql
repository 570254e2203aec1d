-- returns: aggregates
-- Every force area's counts over the period, for rates per 100,000 population and proportions:
-- live operation-months, victims identified (children, and those referred to the NRM at any
-- time since), arrests, charges, and operations closed (and of those, reaching a charge).
-- Counted by area (docs/returns.md, "Force areas"): an operation counts in every force area it
-- names (live operation-months, operations closed); its victims, arrests and charges in its
-- primary area. Operations with no territorial area are the row 'national' (no region and no
-- population: never a force's). Partner-led operations count in the areas they name. Forces with
-- nothing are 0. Read from the cubes (agg_area_monthly by every area named, agg_monthly by
-- primary area), whose size does not grow with the number of operations.
with by_area as (
    select
        force_code,
        sum(live_ops) as live_op_months,
        sum(closed_ops) as closed_ops,
        sum(closed_ops_charged) as closed_ops_charged
    from agg_area_monthly
    where month between $start and $end
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
    group by force_code
),

cube as (
    select
        force_code,
        sum(victims) as victims,
        sum(child_victims) as child_victims,
        sum(victims_referred) as victims_referred,
        sum(arrests) as arrests,
        sum(charges) as charges
    from agg_monthly
    where month between $start and $end
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
    group by force_code
),

units as (
    select force_code, region_code, population, population_year
    from force
    union all
    select 'national', null, null, null
),

final as (
    select
        u.force_code,
        u.region_code,
        u.population,
        u.population_year,
        date_diff('month', $start, $end) + 1 as months,
        coalesce(by_area.live_op_months, 0)::integer as live_op_months,
        coalesce(cube.victims, 0)::integer as victims,
        coalesce(cube.child_victims, 0)::integer as child_victims,
        coalesce(cube.victims_referred, 0)::integer as victims_referred,
        coalesce(cube.arrests, 0)::integer as arrests,
        coalesce(cube.charges, 0)::integer as charges,
        coalesce(by_area.closed_ops, 0)::integer as closed_ops,
        coalesce(by_area.closed_ops_charged, 0)::integer as closed_ops_charged
    from units as u
    left join by_area using (force_code)
    left join cube using (force_code)
    where list_contains($forces, u.force_code)
)

select * from final order by force_code;
