-- returns: rows
-- Every month one operation was reported (all of its life, not only the period), with its
-- status and stage; nothing when the operation lies outside the filters or the scope.
with op as (
    select operation_id
    from operation_asked($operation_id, $forces, $crime_types, $agencies, $scope_forces, $scope_agencies)
)

select om.month, om.status, om.stage
from operation_month as om
join op using (operation_id)
order by om.month;
