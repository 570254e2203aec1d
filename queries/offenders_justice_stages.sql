-- returns: aggregates
-- The criminal-justice funnel of the offenders recorded in operations reported in at least one
-- month of the period, within the filters, grouped as asked ($grouped_by): in all ('all'), by the
-- operation's crime type ('crime_type') or by its region ('region_code'). For each group: the
-- offenders recorded, arrested, charged and convicted (by the last date in the data), and for
-- each interval between two stages the offenders who reached both and the quartiles of the days
-- between them (linear interpolation between order statistics). A group with no offender has no
-- row, but for 'all', which always has its one.
-- DESIGN: the offenders from offenders_reported (schema.sql), within the person's scope. One
-- grouping a question: a page asks for the one on screen (the three at once, as grouping sets,
-- cost two to three times one). The quartiles are exact, so nothing can be counted in advance.
with offenders as (
    select
        case $grouped_by when 'crime_type' then o.crime_type end as crime_type,
        case $grouped_by when 'region_code' then fo.region_code end as region_code,
        o.arrested_on,
        o.charged_on,
        o.convicted_on,
        o.arrested_on - o.opened_on as opening_to_arrest,
        o.charged_on - o.arrested_on as arrest_to_charge,
        o.convicted_on - o.charged_on as charge_to_conviction,
        o.charged_on - o.opened_on as opening_to_charge
    from offenders_reported(
        $start, $end, $forces, $crime_types, $agencies, $scope_forces, $scope_agencies
    ) as o
    left join force as fo  -- none for a national operation; read for the regions' grouping only
        on fo.force_code = o.force_code and $grouped_by = 'region_code'
),

stages as (
    select
        crime_type,
        region_code,
        count(*) as recorded,
        count(arrested_on) as arrested,
        count(charged_on) as charged,
        count(convicted_on) as convicted,
        count(opening_to_arrest) as opening_to_arrest_offenders,
        quantile_cont(opening_to_arrest, [0.25, 0.5, 0.75]) as opening_to_arrest_days,
        count(arrest_to_charge) as arrest_to_charge_offenders,
        quantile_cont(arrest_to_charge, [0.25, 0.5, 0.75]) as arrest_to_charge_days,
        count(charge_to_conviction) as charge_to_conviction_offenders,
        quantile_cont(charge_to_conviction, [0.25, 0.5, 0.75]) as charge_to_conviction_days,
        count(opening_to_charge) as opening_to_charge_offenders,
        quantile_cont(opening_to_charge, [0.25, 0.5, 0.75]) as opening_to_charge_days
    from offenders
    group by crime_type, region_code  -- for 'all', one group (both null)
),

total as (  -- the row of 'all' when no offender is in view
    select true as asked
    where $grouped_by = 'all'
),

final as (
    select
        $grouped_by as grouped_by,
        crime_type,
        region_code,
        coalesce(recorded, 0) as recorded,
        coalesce(arrested, 0) as arrested,
        coalesce(charged, 0) as charged,
        coalesce(convicted, 0) as convicted,
        coalesce(opening_to_arrest_offenders, 0) as opening_to_arrest_offenders,
        opening_to_arrest_days[1] as opening_to_arrest_q1,
        opening_to_arrest_days[2] as opening_to_arrest_median,
        opening_to_arrest_days[3] as opening_to_arrest_q3,
        coalesce(arrest_to_charge_offenders, 0) as arrest_to_charge_offenders,
        arrest_to_charge_days[1] as arrest_to_charge_q1,
        arrest_to_charge_days[2] as arrest_to_charge_median,
        arrest_to_charge_days[3] as arrest_to_charge_q3,
        coalesce(charge_to_conviction_offenders, 0) as charge_to_conviction_offenders,
        charge_to_conviction_days[1] as charge_to_conviction_q1,
        charge_to_conviction_days[2] as charge_to_conviction_median,
        charge_to_conviction_days[3] as charge_to_conviction_q3,
        coalesce(opening_to_charge_offenders, 0) as opening_to_charge_offenders,
        opening_to_charge_days[1] as opening_to_charge_q1,
        opening_to_charge_days[2] as opening_to_charge_median,
        opening_to_charge_days[3] as opening_to_charge_q3
    from stages
    full join total on true
)

select * from final order by crime_type, region_code;
