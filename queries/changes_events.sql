-- returns: reference
-- The changes the synthetic generator injected on purpose (ground truth for the detector):
-- empty for real data.
select event_id, region_code, crime_type, start_month, end_month, multiplier, description
from demo_event
order by event_id;
