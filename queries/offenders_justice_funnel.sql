-- returns: rows
-- The criminal-justice stages of the offenders recorded in operations reported in at least one
-- month of the period, within the filters: one row per offender with its operation's crime type,
-- region and opening date and the dates it was arrested, charged and convicted (null when not,
-- by the last date in the data).
with reported as (
    select distinct operation_id
    from operation_month
    where month between $start and $end
),

final as (
    select
        f.offender_id,
        o.crime_type,
        fo.region_code,
        o.opened_on,
        f.arrested_on,
        f.charged_on,
        f.convicted_on
    from offender as f
    join reported using (operation_id)
    join operation as o using (operation_id)
    left join force as fo on fo.force_code = o.force_code  -- none for a national operation
    where in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
      and in_scope($scope_forces, $scope_agencies, o.force_code, o.lead_agency)
)

select * from final order by offender_id;
