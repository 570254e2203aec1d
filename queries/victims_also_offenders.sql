-- returns: rows
-- People recorded as offenders in operations reported in at least one month of the period,
-- within the filters, whose pseudonymous person_ref is also recorded as a victim (in any
-- operation of any force the person looking may see at row level): one row per person, with no
-- more detail than the link needs.
with reported as (
    select distinct operation_id
    from operation_month
    where month between $start and $end
),

offenders as (
    select f.person_ref, f.operation_id, f.role, f.charged_on
    from offender as f
    join reported using (operation_id)
    join operation as o using (operation_id)
    where in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
      and in_scope($scope_forces, $scope_agencies, o.force_code, o.lead_agency)
),

victims as (
    select v.person_ref, v.operation_id, v.identified_on, v.age_group, v.exploitation_type
    from victim as v
    join operation as o using (operation_id)
    semi join offenders using (person_ref)
    where in_scope($scope_forces, $scope_agencies, o.force_code, o.lead_agency)
),

as_offender as (
    select
        person_ref,
        count(*)::integer as offender_records,
        string_agg(distinct role, ', ' order by role) as roles,
        bool_or(charged_on is not null) as charged
    from offenders
    semi join victims using (person_ref)
    group by person_ref
),

as_victim as (
    select
        person_ref,
        count(*)::integer as victim_records,
        min(identified_on) as first_identified_on,
        bool_or(age_group = 'child') as child_victim,
        string_agg(distinct exploitation_type, ', ' order by exploitation_type) as exploitation_types
    from victims
    group by person_ref
),

same_operation as (
    select distinct person_ref
    from victims
    join offenders using (person_ref, operation_id)
),

final as (
    select
        v.person_ref,
        v.first_identified_on,
        v.child_victim,
        v.exploitation_types,
        v.victim_records,
        f.offender_records,
        f.roles,
        f.charged,
        s.person_ref is not null as same_operation
    from as_victim as v
    join as_offender as f using (person_ref)
    left join same_operation as s using (person_ref)
)

select * from final order by first_identified_on, person_ref;
