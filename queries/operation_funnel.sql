-- returns: rows
-- The criminal-justice funnel of one operation's offenders: recorded, arrested, charged and
-- convicted (so far); zeros when the operation lies outside the filters or the scope.
with op as (
    select operation_id
    from operation
    where operation_id = $operation_id
      and in_view($forces, $crime_types, $agencies, force_code, crime_type, lead_agency)
      and in_scope($scope_forces, $scope_agencies, force_code, lead_agency)
)

select
    count(*)::integer as recorded,
    count(arrested_on)::integer as arrested,
    count(charged_on)::integer as charged,
    count(convicted_on)::integer as convicted
from offender
join op using (operation_id);
