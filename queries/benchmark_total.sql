-- returns: aggregates
-- The force areas in view together over the period, each operation counted once however many
-- of them it names (docs/returns.md, "Force areas"): live operation-months and operations closed
-- (and of those, reaching a charge) of the operations naming any of them; victims identified
-- (children, referred to the NRM), arrests and charges of those whose primary area is one of them;
-- their resident population ('national', in view when no region or force is chosen, has none).
-- DESIGN: an operation whose primary area is in view is counted from the monthly cube (keyed by
-- primary area, so once); only those in view through another area alone (crossing: none when the
-- whole country is in view) are counted from their operation-months.
with cube as (
    select
        sum(live_ops) as live_op_months,
        sum(closed_ops) as closed_ops,
        sum(closed_ops_charged) as closed_ops_charged,
        sum(victims) as victims,
        sum(child_victims) as child_victims,
        sum(victims_referred) as victims_referred,
        sum(arrests) as arrests,
        sum(charges) as charges
    from agg_monthly
    where month between $start and $end
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
),

crossing as (
    select operation_id, closed_on
    from operation as o
    where not list_contains($forces, o.force_code)
      -- in view through the first of its other areas that is in view (none: null, not in view)
      and in_view(
          $forces, $crime_types, $agencies,
          list_filter(o.other_force_codes, lambda area: list_contains($forces::varchar[], area))[1],
          o.crime_type, o.lead_agency
      )
),

crossing_live as (
    select count(*) as live_op_months
    from operation_month as m
    join crossing using (operation_id)
    where m.status = 'live'
      and m.month between $start and $end
),

charged_operations as (
    select distinct operation_id
    from offender
    where charged_on is not null
      and operation_id in (select operation_id from crossing)
),

crossing_closed as (
    select count(*) as closed_ops, count(ch.operation_id) as closed_ops_charged
    from crossing as c
    left join charged_operations as ch using (operation_id)
    where c.closed_on between $start and last_day($end)
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
        (coalesce(cube.live_op_months, 0) + crossing_live.live_op_months)::integer as live_op_months,
        coalesce(cube.victims, 0)::integer as victims,
        coalesce(cube.child_victims, 0)::integer as child_victims,
        coalesce(cube.victims_referred, 0)::integer as victims_referred,
        coalesce(cube.arrests, 0)::integer as arrests,
        coalesce(cube.charges, 0)::integer as charges,
        (coalesce(cube.closed_ops, 0) + crossing_closed.closed_ops)::integer as closed_ops,
        (coalesce(cube.closed_ops_charged, 0) + crossing_closed.closed_ops_charged)::integer as closed_ops_charged
    from cube, crossing_live, crossing_closed, population
)

select * from final;
