-- returns: rows
-- The returns that reported one operation: its lead agency's return for every month the
-- operation appears in, the return that first reported it (operation.submission_id) and any
-- return that carried one of its victims or offenders, with what each carried of it.
with op as (
    select operation_id, lead_agency, submission_id
    from operation_asked($operation_id, $forces, $crime_types, $agencies, $scope_forces, $scope_agencies)
),

months as (
    select om.month
    from operation_month as om
    join op using (operation_id)
),

people as (
    select v.submission_id, 'victim' as kind from victim as v join op using (operation_id)
    union all
    select f.submission_id, 'offender' as kind from offender as f join op using (operation_id)
),

carried as (
    select
        submission_id,
        count(*) filter (where kind = 'victim')::integer as victims,
        count(*) filter (where kind = 'offender')::integer as offenders
    from people
    where submission_id is not null
    group by submission_id
),

returns as (
    select s.submission_id
    from submission as s
    join op on s.agency_code = op.lead_agency
    join months on s.period = months.month
    union
    select submission_id from op where submission_id is not null
    union
    select submission_id from carried
),

final as (
    select
        s.submission_id,
        s.agency_code,
        s.period,
        s.file_name,
        s.received_at,
        s.agency_code = op.lead_agency and s.period in (select month from months) as reports_month,
        s.submission_id = op.submission_id as first_report,
        coalesce(c.victims, 0) as victims,
        coalesce(c.offenders, 0) as offenders,
        s.rows_in,
        s.rows_accepted,
        s.rows_rejected,
        s.sha256
    from submission as s
    join returns using (submission_id)
    cross join op
    left join carried as c on c.submission_id = s.submission_id
)

select * from final order by period, submission_id;
