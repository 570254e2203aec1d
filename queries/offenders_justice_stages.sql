-- returns: aggregates
-- The criminal-justice funnel of the offenders recorded in operations reported in at least one
-- month of the period, within the filters: in all (`grouped_by` 'all'), by the operation's crime
-- type ('crime_type') and by its region ('region_code'). For each: the offenders recorded,
-- arrested, charged and convicted (by the last date in the data), and for each interval between
-- two stages the offenders who reached both and the quartiles of the days between them (linear
-- interpolation between order statistics). A group with no offender has no row.
-- DESIGN: the offenders from offenders_reported (schema.sql), within the person's scope.
with offenders as (
    select
        o.crime_type,
        fo.region_code,
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
    left join force as fo on fo.force_code = o.force_code  -- none for a national operation
),

stages as (
    select
        case
            when grouping(crime_type) = 0 then 'crime_type'
            when grouping(region_code) = 0 then 'region_code'
            else 'all'
        end as grouped_by,
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
    group by grouping sets ((), (crime_type), (region_code))
),

final as (
    select
        grouped_by,
        crime_type,
        region_code,
        recorded,
        arrested,
        charged,
        convicted,
        opening_to_arrest_offenders,
        opening_to_arrest_days[1] as opening_to_arrest_q1,
        opening_to_arrest_days[2] as opening_to_arrest_median,
        opening_to_arrest_days[3] as opening_to_arrest_q3,
        arrest_to_charge_offenders,
        arrest_to_charge_days[1] as arrest_to_charge_q1,
        arrest_to_charge_days[2] as arrest_to_charge_median,
        arrest_to_charge_days[3] as arrest_to_charge_q3,
        charge_to_conviction_offenders,
        charge_to_conviction_days[1] as charge_to_conviction_q1,
        charge_to_conviction_days[2] as charge_to_conviction_median,
        charge_to_conviction_days[3] as charge_to_conviction_q3,
        opening_to_charge_offenders,
        opening_to_charge_days[1] as opening_to_charge_q1,
        opening_to_charge_days[2] as opening_to_charge_median,
        opening_to_charge_days[3] as opening_to_charge_q3
    from stages
)

select * from final order by grouped_by, crime_type, region_code;
