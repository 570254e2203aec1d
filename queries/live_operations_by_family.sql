-- returns: aggregates
-- Live operations each month by crime family (MS, OIC), over the filters.
select
    month,
    family,
    sum(live_ops)::integer as live_ops
from agg_monthly
where month between $start and $end
  and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
group by month, family
order by month, family;
