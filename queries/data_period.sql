-- returns: reference
-- The first and last month the returns report (operations opened earlier keep their older
-- events in the cube, but the reporting period is what the filters offer).
select
    min(month) as first_month,
    max(month) as last_month
from operation_month;
