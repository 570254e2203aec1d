-- returns: aggregates
-- Operations whose first arrest fell in the period, counted (n) by force area and the days from
-- the operation's opening to that arrest (a distribution, from which medians are read).
with first_arrest as (
    select operation_id, min(arrested_on) as arrested_on
    from offender
    where arrested_on is not null
    group by operation_id
),

arrests as (
    select
        o.force_code,
        f.region_code,
        date_diff('day', o.opened_on, a.arrested_on) as days
    from first_arrest as a
    join operation as o using (operation_id)
    join force as f on f.force_code = o.force_code
    where a.arrested_on between $start and last_day($end)
      and in_view($forces, $crime_types, $agencies, o.force_code, o.crime_type, o.lead_agency)
),

final as (
    select *, count(*) as n
    from arrests
    group by all
)

select * from final;
