-- returns: rows
-- The operations active in the period (reported in at least one of its months) within the
-- filters, with their latest status and stage in the period and how many victims and offenders
-- they have (all of their life). $search keeps those whose codename, operation id or organised
-- crime group reference contains it, in any case ('' keeps all). One page of them is returned:
-- sorted by $sort (a column name, or 'people': victims and offenders together) ascending or
-- $descending, rows equal on it (or any other value of $sort) in the default order: most people
-- first, then the newest; $limit rows from $offset; `matching` counts them all.
with in_view as materialized (
    select
        a.operation_id,
        a.codename,
        a.force_code,
        a.crime_type,
        a.lead_agency,
        a.opened_on,
        a.closed_on,
        a.ocg_ref,
        a.county_lines,
        a.first_month,
        a.last_month,
        a.last_status,
        a.last_stage,
        a.victims,
        a.offenders,
        -- reported in every month from its first to its last: its months in the period need no
        -- operation-month to count
        a.months = datediff('month', a.first_month, a.last_month) + 1 as unbroken
    from agg_operation as a
    where a.first_month <= $end
      and a.last_month >= $start
      and in_view($forces, $crime_types, $agencies, a.force_code, a.crime_type, a.lead_agency)
      and in_scope($scope_forces, $scope_agencies, a.force_code, a.lead_agency)
      and (
          $search = ''
          or contains(lower(a.codename), lower($search))
          or contains(lower(a.operation_id), lower($search))
          or contains(lower(coalesce(a.ocg_ref, '')), lower($search))
      )
),

-- DESIGN: an operation's months in the period and its latest status and stage in it come from
-- agg_operation when its months are unbroken: its last status when it was last reported within
-- the period, else its status in the period's last month (one month of operation_month read).
-- Only an operation with a month missing has every month of the period read. in_view is
-- materialized: the parts below read it four times, and its filters are the costly part. Each
-- part carries its operations' columns, so the many ended ones are not joined back to in_view.
ended as (
    select
        * exclude (last_status, last_stage, unbroken),
        (datediff('month', greatest(first_month, $start), last_month) + 1)::integer as months_reported,
        last_status as status,
        last_stage as stage
    from in_view
    where unbroken and last_month <= $end
),

running as (
    select
        v.* exclude (last_status, last_stage, unbroken),
        (datediff('month', greatest(v.first_month, $start), $end::date) + 1)::integer as months_reported,
        m.status,
        m.stage
    from operation_month as m
    join in_view as v using (operation_id)
    where m.month = $end
      and v.unbroken
      and v.last_month > $end
),

broken_months as (
    select
        operation_id,
        count(*)::integer as months_reported,
        arg_max(status, month) as status,
        arg_max(stage, month) as stage
    from operation_month
    where month between $start and $end
      and operation_id in (select operation_id from in_view where not unbroken)
    group by operation_id
),

broken as (
    select v.* exclude (last_status, last_stage, unbroken), b.months_reported, b.status, b.stage
    from in_view as v
    join broken_months as b using (operation_id)
    where not v.unbroken
),

chosen as (
    select * from ended
    union all
    select * from running
    union all
    select * from broken
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
        c.victims,
        c.offenders,
        c.ocg_ref,
        c.county_lines
    from chosen as c
    left join force as f on f.force_code = c.force_code
    left join region as r on r.region_code = f.region_code
    join crime_type as ct on ct.crime_type_code = c.crime_type
    join agency as a on a.agency_code = c.lead_agency
),

-- How many match, counted apart (a count over every row as a window would hold all of them): the
-- rows of listed, whose inner joins are these two (its left joins add none: each code is a key).
matching as (
    select count(*) as matching
    from chosen as c
    join crime_type as ct on ct.crime_type_code = c.crime_type
    join agency as a on a.agency_code = c.lead_agency
),

final as (
    select
        listed.*,
        matching.matching,
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
    cross join matching
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
