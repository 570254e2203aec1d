-- returns: aggregates
-- New operations each month in every region x crime type series of the filters: what the
-- emerging-changes detector reads. Months with none are absent (the detector completes them).
-- Operations with no territorial force area are in no region, so in no series.
with filtered as (
    select month, region_code, crime_type, new_ops
    from agg_monthly
    where month between $start and $end
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
      and region_code is not null
),

final as (
    select
        month,
        region_code,
        crime_type,
        sum(new_ops)::integer as new_ops
    from filtered
    group by all
    having sum(new_ops) > 0
)

select * from final order by region_code, crime_type, month;
