-- Every month one operation was reported (all of its life, not only the period), with its
-- status and stage; nothing when the operation lies outside the filters or the scope.
with op as (
    select operation_id
    from operation
    where operation_id = $operation_id
      and list_contains($forces, force_code)
      and list_contains($crime_types, crime_type)
      and list_contains($agencies, lead_agency)
)

select om.month, om.status, om.stage
from operation_month as om
join op using (operation_id)
order by om.month;
