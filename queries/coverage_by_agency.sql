-- returns: aggregates
-- One row per lead agency in view and month of the period: whether its figures for the month can
-- be compared with another month's: its return was received, or none was due (coverage and
-- return_due in schema.sql), so what it reported is all there is. An agency whose return was due
-- and never came is left out of a comparison, never counted as zero.
with final as (
    select agency_code as lead_agency, month, received or not due as comparable
    from coverage($start, $end)
    where list_contains($agencies, agency_code)
)

select * from final order by lead_agency, month;
