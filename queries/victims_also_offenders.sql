-- returns: rows
-- People recorded as offenders in operations reported in at least one month of the period,
-- within the filters, whose pseudonymous person_ref is also recorded as a victim (in any
-- operation of any force the person looking may see at row level): one row per person, with no
-- more detail than the link needs.
-- DESIGN: the offenders from offenders_reported (schema.sql), narrowed to the scope. The victims
-- sharing a person_ref with one of them are found first (a few), and only theirs are joined to
-- their operations for the scope, not every victim.
with offenders as materialized (
    select person_ref, operation_id, role, charged_on
    from offenders_reported(
        $start, $end, $forces, $crime_types, $agencies, $scope_forces, $scope_agencies
    )
),

linked as materialized (
    select person_ref, operation_id, identified_on, age_group, exploitation_type
    from victim
    semi join offenders using (person_ref)
),

victims as (
    select v.*
    from linked as v
    join operation as o using (operation_id)
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
