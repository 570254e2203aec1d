-- Live operations each month by crime family (MS, OIC), over the filters.
select
    month,
    family,
    sum(live_ops)::integer as live_ops
from agg_monthly
where month between $start and $end
  and list_contains($forces, force_code)
  and list_contains($crime_types, crime_type)
  and list_contains($agencies, lead_agency)
group by month, family
order by month, family;
