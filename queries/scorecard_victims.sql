-- returns: aggregates
-- Victims identified in the period, counted (n) by the force area of their operation and what the
-- action plan scorecard asks of them: referred to the NRM within 30 days of identification
-- (`followed_up` when those 30 days have passed by the last day of the data, so recent victims
-- are not counted as unreferred), a child, nationality recorded.
with data_end as (
    select last_day(max(month)) as last_day from operation_month
),

victims as (
    select
        v.force_code,
        f.region_code,
        coalesce(v.nrm_referred_on <= v.identified_on + 30, false) as referred_in_30_days,
        v.identified_on + 30 <= d.last_day as followed_up,
        v.age_group = 'child' as is_child,
        v.nationality <> 'UNK' as known_nationality
    from victims_in_view($start, $end, $forces, $crime_types, $agencies) as v
    join force as f using (force_code)
    cross join data_end as d
),

final as (
    select *, count(*) as n
    from victims
    group by all
)

select * from final;
