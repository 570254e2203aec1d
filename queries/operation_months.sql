-- returns: rows
-- Every month one operation was reported (all of its life, not only the period), with its
-- status and stage; nothing when the operation lies outside the filters or the scope.
with op as (
    select operation_id
    from operation
    where operation_id = $operation_id
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
      and in_scope($scope_forces, $scope_agencies, force_code, lead_agency)
)

select om.month, om.status, om.stage
from operation_month as om
join op using (operation_id)
order by om.month;
