-- returns: rows
-- One operation, when it lies in the scope of the person asking (else nothing): what a link to an
-- operation is checked against before it is shown.
select operation_id
from operation
where operation_id = $operation_id
  and in_scope($scope_forces, $scope_agencies, force_code, lead_agency);
