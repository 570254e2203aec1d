-- returns: aggregates
-- One row per force area in view and month of the period: whether its territorial force's
-- return for the month was received (coverage in schema.sql). A month a force area is not
-- covered has no data there: its figures are unknown, not zero.
with final as (
    select c.agency_code as force_code, f.region_code, c.month, c.received as covered
    from coverage($start, $end) as c
    join force as f on f.force_code = c.agency_code
    where list_contains($forces, c.agency_code)
)

select * from final order by force_code, month;
