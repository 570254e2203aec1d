-- returns: aggregates
-- The force areas in view together over the period, each operation counted once however many
-- of them it names (docs/returns.md, "Force areas"): live operation-months and operations closed
-- (and of those, reaching a charge) of the operations naming any of them; victims identified
-- (children, referred to the NRM), arrests and charges of those whose primary area is one of them;
-- their resident population ('national', in view when no region or force is chosen, has none).
with operations as (
    select distinct a.operation_id
    from operation_area() as a
    join operation as o using (operation_id)
    where in_view($forces, $crime_types, $agencies, a.force_code, o.crime_type, o.lead_agency)
),

live as (
    select count(*) as live_op_months
    from operation_month as m
    join operations using (operation_id)
    where m.status = 'live'
      and m.month between $start and $end
),

charged_operations as (
    select distinct operation_id
    from offender
    where charged_on is not null
),

closed as (
    select count(*) as closed_ops, count(c.operation_id) as closed_ops_charged
    from operation as o
    join operations using (operation_id)
    left join charged_operations as c using (operation_id)
    where o.closed_on between $start and last_day($end)
),

cube as (
    select
        sum(victims) as victims,
        sum(child_victims) as child_victims,
        sum(arrests) as arrests,
        sum(charges) as charges
    from agg_monthly
    where month between $start and $end
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
),

referred as (
    select count(*) as victims_referred
    from victims_in_view($start, $end, $forces, $crime_types, $agencies)
    where nrm_referred
),

population as (
    select sum(population) as population
    from force
    where list_contains($forces, force_code)
),

final as (
    select
        population.population::bigint as population,
        date_diff('month', $start, $end) + 1 as months,
        live.live_op_months::integer as live_op_months,
        coalesce(cube.victims, 0)::integer as victims,
        coalesce(cube.child_victims, 0)::integer as child_victims,
        referred.victims_referred::integer as victims_referred,
        coalesce(cube.arrests, 0)::integer as arrests,
        coalesce(cube.charges, 0)::integer as charges,
        closed.closed_ops::integer as closed_ops,
        closed.closed_ops_charged::integer as closed_ops_charged
    from live, closed, cube, referred, population
)

select * from final;
