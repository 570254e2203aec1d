-- returns: aggregates
-- Every force area's counts over the period, for rates per 100,000 population and proportions:
-- live operation-months, victims identified (children, and those referred to the NRM at any
-- time since), arrests, charges, and operations closed (and of those, reaching a charge).
-- Partner-led operations count in the force area where they run. Forces with nothing are 0.
with cube as (
    select
        force_code,
        sum(live_ops) as live_op_months,
        sum(victims) as victims,
        sum(child_victims) as child_victims,
        sum(arrests) as arrests,
        sum(charges) as charges
    from agg_monthly
    where month between $start and $end
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
    group by force_code
),

operations as (
    select operation_id, force_code, closed_on
    from operation
    where in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
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
        o.force_code,
        count(*) as closed_ops,
        count(c.operation_id) as closed_ops_charged
    from operations as o
    left join charged_operations as c using (operation_id)
    where o.closed_on between $start and last_day($end)
    group by o.force_code
),

final as (
    select
        f.force_code,
        f.region_code,
        f.population,
        f.population_year,
        date_diff('month', $start, $end) + 1 as months,
        coalesce(cube.live_op_months, 0)::integer as live_op_months,
        coalesce(cube.victims, 0)::integer as victims,
        coalesce(cube.child_victims, 0)::integer as child_victims,
        coalesce(referred.victims_referred, 0)::integer as victims_referred,
        coalesce(cube.arrests, 0)::integer as arrests,
        coalesce(cube.charges, 0)::integer as charges,
        coalesce(closed.closed_ops, 0)::integer as closed_ops,
        coalesce(closed.closed_ops_charged, 0)::integer as closed_ops_charged
    from force as f
    left join cube using (force_code)
    left join referred using (force_code)
    left join closed using (force_code)
    where list_contains($forces, f.force_code)
)

select * from final order by force_code;
