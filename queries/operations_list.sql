-- returns: rows
-- The operations active in the period (reported in at least one of its months) within the
-- filters, with their latest status and stage in the period and how many victims and offenders
-- they have (all of their life). $search keeps those whose codename, operation id or organised
-- crime group reference contains it, in any case ('' keeps all). One page of them is returned:
-- sorted by $sort (a column name, or 'people': victims and offenders together) ascending or
-- $descending, rows equal on it (or any other value of $sort) in the default order: most people
-- first, then the newest; $limit rows from $offset; `matching` counts them all.

-- DESIGN: late materialisation. Every operation of the view is filtered, counted and sorted on
-- narrow columns (its row, id, opening day, reported months and counts, and the column the sort
-- asks for); the rest (codename, codes and their names, closing day, last status, OCG) is read
-- by row for the page's rows only (a name the sort asks for, by a lookup in a map of a few dozen
-- codes). At scale 100 the national view holds a million operations. An operation's months in the
-- period and its latest status and stage in it come from agg_operation when its months are
-- unbroken: its last status when it was last reported within the period, else its status in the
-- period's last month (one month of operation_month read). Only an operation with a month
-- missing has every month of the period read. in_view is materialized: the parts below read it
-- five times, and its filters are the costly part.
with in_view as materialized (
    select
        a.rowid as row_id,  -- the page's other columns are fetched by it
        a.operation_id,
        a.opened_on,
        a.first_month,
        a.last_month,
        a.victims,
        a.offenders,
        -- what only a sort on it needs of every operation
        case when $sort = 'closed_on' then a.closed_on end as closed_on,
        case when $sort = 'codename' then a.codename end as codename,
        case when $sort in ('region', 'force_area') then a.force_code end as force_code,
        case when $sort = 'crime_type' then a.crime_type end as crime_type,
        case when $sort = 'lead_agency' then a.lead_agency end as lead_agency,
        case when $sort in ('status', 'stage') then a.last_status end as last_status,
        case when $sort in ('status', 'stage') then a.last_stage end as last_stage,
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
      -- the rows the page's joins to the crime type and lead agency keep
      and a.crime_type in (select crime_type_code from crime_type)
      and a.lead_agency in (select agency_code from agency)
),

ended as (
    select
        * exclude (last_status, last_stage, unbroken),
        (datediff('month', greatest(first_month, $start), last_month) + 1)::integer as months_reported,
        true as ended,  -- its status and stage, when not the sort, read for the page only
        last_status as status,
        last_stage as stage
    from in_view
    where unbroken and last_month <= $end
),

-- Unbroken and reported after the period: reported in its last month, so one row each.
running as (
    select
        v.* exclude (last_status, last_stage, unbroken),
        (datediff('month', greatest(v.first_month, $start), $end::date) + 1)::integer as months_reported,
        false as ended,
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
    select v.* exclude (last_status, last_stage, unbroken), b.months_reported, false as ended, b.status, b.stage
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

-- How many match: every unbroken operation of the view (ended or running) and every broken one
-- reported in the period.
matching as (
    select
        (select count(*) from in_view where unbroken)
        + (select count(*) from broken_months) as matching
),

-- The names a sort may ask for, by code.
area_names as (
    select
        f.force_code,
        coalesce(r.name, 'National / non-territorial') as region,
        f.name as force_area
    from force as f
    left join region as r on r.region_code = f.region_code
),

names as (
    select
        (select map(list(force_code), list(region)) from area_names) as region,
        (select map(list(force_code), list(force_area)) from area_names) as force_area,
        (select map(list(crime_type_code), list(label)) from crime_type) as crime_type,
        (select map(list(agency_code), list(name)) from agency) as lead_agency
),

keyed as (
    select
        c.*,
        case $sort
            when 'people' then c.victims + c.offenders
            when 'victims' then c.victims
            when 'offenders' then c.offenders
            when 'months_reported' then c.months_reported
        end as number_key,
        case $sort
            when 'operation_id' then c.operation_id
            when 'codename' then c.codename
            -- no territorial force area
            when 'region' then coalesce(map_extract_value(n.region, c.force_code), 'National / non-territorial')
            when 'force_area' then coalesce(map_extract_value(n.force_area, c.force_code), 'National / non-territorial')
            when 'crime_type' then map_extract_value(n.crime_type, c.crime_type)
            when 'lead_agency' then map_extract_value(n.lead_agency, c.lead_agency)
            when 'status' then c.status
            when 'stage' then c.stage
        end as text_key,
        case $sort
            when 'opened_on' then c.opened_on
            when 'closed_on' then c.closed_on
        end as date_key
    from chosen as c
    cross join names as n
),

page as (
    select *
    from keyed
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
    limit $limit offset $offset
),

listed as (
    select
        p.operation_id,
        o.codename,
        coalesce(l.region, 'National / non-territorial') as region,
        coalesce(l.force_area, 'National / non-territorial') as force_area,  -- no territorial force area
        ct.label as crime_type,
        a.name as lead_agency,
        p.opened_on,
        o.closed_on,
        case when p.ended then o.last_status else p.status end as status,
        case when p.ended then o.last_stage else p.stage end as stage,
        p.months_reported,
        p.victims,
        p.offenders,
        o.ocg_ref,
        o.county_lines,
        p.number_key,
        p.text_key,
        p.date_key
    from page as p
    join agg_operation as o on o.rowid = p.row_id
    left join area_names as l on l.force_code = o.force_code
    join crime_type as ct on ct.crime_type_code = o.crime_type
    join agency as a on a.agency_code = o.lead_agency
)

select listed.* exclude (number_key, text_key, date_key), matching.matching
from listed
cross join matching
order by
    case when $descending then number_key end desc nulls last,
    case when not $descending then number_key end asc nulls last,
    case when $descending then text_key end desc nulls last,
    case when not $descending then text_key end asc nulls last,
    case when $descending then date_key end desc nulls last,
    case when not $descending then date_key end asc nulls last,
    victims + offenders desc,
    opened_on desc,
    operation_id;
