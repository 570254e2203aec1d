-- The first and last month the database holds.
select
    min(month) as first_month,
    max(month) as last_month
from agg_monthly;
