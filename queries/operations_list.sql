-- returns: rows
-- The operations active in the period (reported in at least one of its months) within the
-- filters, with their latest status and stage in the period and how many victims and offenders
-- they have (all of their life). $search keeps those whose codename, operation id or organised
-- crime group reference contains it, in any case ('' keeps all). One page of them is returned:
-- sorted by $sort (a column name, or 'people': victims and offenders together) ascending or
-- $descending, rows equal on it (or any other value of $sort) in the default order: most people
-- first, then the newest; $limit rows from $offset; `matching` counts them all.
with in_view as (
    select *
    from operation as o
    where in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
      and in_scope($scope_forces, $scope_agencies, o.force_code, o.lead_agency)
      and (
          $search = ''
          or contains(lower(o.codename), lower($search))
          or contains(lower(o.operation_id), lower($search))
          or contains(lower(coalesce(o.ocg_ref, '')), lower($search))
      )
),

-- DESIGN: the operations in view first, then their months: a narrowed view reads only its own.
reported as (
    select
        operation_id,
        count(*)::integer as months_reported,
        arg_max(status, month) as status,
        arg_max(stage, month) as stage
    from operation_month
    where month between $start and $end
      and operation_id in (select operation_id from in_view)
    group by operation_id
),

chosen as (
    select o.*, r.months_reported, r.status, r.stage
    from in_view as o
    join reported as r using (operation_id)
),

victims as (
    select operation_id, count(*)::integer as victims
    from victim
    where operation_id in (select operation_id from chosen)
    group by operation_id
),

offenders as (
    select operation_id, count(*)::integer as offenders
    from offender
    where operation_id in (select operation_id from chosen)
    group by operation_id
),

listed as (
    select
        c.operation_id,
        c.codename,
        coalesce(r.name, 'National / non-territorial') as region,
        coalesce(f.name, 'National / non-territorial') as force_area,  -- no territorial force area
        ct.label as crime_type,
        a.name as lead_agency,
        c.opened_on,
        c.closed_on,
        c.status,
        c.stage,
        c.months_reported,
        coalesce(v.victims, 0) as victims,
        coalesce(o.offenders, 0) as offenders,
        c.ocg_ref,
        c.county_lines
    from chosen as c
    left join force as f on f.force_code = c.force_code
    left join region as r on r.region_code = f.region_code
    join crime_type as ct on ct.crime_type_code = c.crime_type
    join agency as a on a.agency_code = c.lead_agency
    left join victims as v on v.operation_id = c.operation_id
    left join offenders as o on o.operation_id = c.operation_id
),

final as (
    select
        *,
        count(*) over () as matching,
        case $sort
            when 'people' then victims + offenders
            when 'victims' then victims
            when 'offenders' then offenders
            when 'months_reported' then months_reported
        end as number_key,
        case $sort
            when 'operation_id' then operation_id
            when 'codename' then codename
            when 'region' then region
            when 'force_area' then force_area
            when 'crime_type' then crime_type
            when 'lead_agency' then lead_agency
            when 'status' then status
            when 'stage' then stage
        end as text_key,
        case $sort
            when 'opened_on' then opened_on
            when 'closed_on' then closed_on
        end as date_key
    from listed
)

select * exclude (number_key, text_key, date_key)
from final
order by
    case when $descending then number_key end desc nulls last,
    case when not $descending then number_key end asc nulls last,
    case when $descending then text_key end desc nulls last,
    case when not $descending then text_key end asc nulls last,
    case when $descending then date_key end desc nulls last,
    case when not $descending then date_key end asc nulls last,
    victims + offenders desc,
    opened_on desc,
    operation_id
limit $limit offset $offset;
