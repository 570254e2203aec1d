-- returns: aggregates
-- Every force area's counts over the period, for rates per 100,000 population and proportions:
-- live operation-months, victims identified (children, and those referred to the NRM at any
-- time since), arrests, charges, and operations closed (and of those, reaching a charge).
-- Counted by area (docs/returns.md, "Force areas"): an operation counts in every force area it
-- names (live operation-months, operations closed); its victims, arrests and charges in its
-- primary area. Operations with no territorial area are the row 'national' (no region and no
-- population: never a force's). Partner-led operations count in the areas they name. Forces with
-- nothing are 0.
with areas as (
    select a.operation_id, a.force_code, o.closed_on
    from operation_area() as a
    join operation as o using (operation_id)
    where in_view($forces, $crime_types, $agencies, a.force_code, o.crime_type, o.lead_agency)
),

live as (
    select a.force_code, count(*) as live_op_months
    from areas as a
    join operation_month as m using (operation_id)
    where m.status = 'live'
      and m.month between $start and $end
    group by a.force_code
),

cube as (
    select
        force_code,
        sum(victims) as victims,
        sum(child_victims) as child_victims,
        sum(arrests) as arrests,
        sum(charges) as charges
    from agg_monthly
    where month between $start and $end
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
    group by force_code
),

referred as (
    select force_code, count(*) as victims_referred
    from victims_in_view($start, $end, $forces, $crime_types, $agencies)
    where nrm_referred
    group by force_code
),

charged_operations as (
    select distinct operation_id
    from offender
    where charged_on is not null
),

closed as (
    select
        a.force_code,
        count(*) as closed_ops,
        count(c.operation_id) as closed_ops_charged
    from areas as a
    left join charged_operations as c using (operation_id)
    where a.closed_on between $start and last_day($end)
    group by a.force_code
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
        coalesce(live.live_op_months, 0)::integer as live_op_months,
        coalesce(cube.victims, 0)::integer as victims,
        coalesce(cube.child_victims, 0)::integer as child_victims,
        coalesce(referred.victims_referred, 0)::integer as victims_referred,
        coalesce(cube.arrests, 0)::integer as arrests,
        coalesce(cube.charges, 0)::integer as charges,
        coalesce(closed.closed_ops, 0)::integer as closed_ops,
        coalesce(closed.closed_ops_charged, 0)::integer as closed_ops_charged
    from units as u
    left join live using (force_code)
    left join cube using (force_code)
    left join referred using (force_code)
    left join closed using (force_code)
    where list_contains($forces, u.force_code)
)

select * from final order by force_code;
