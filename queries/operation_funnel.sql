-- returns: rows
-- The criminal-justice funnel of one operation's offenders: recorded, arrested, charged and
-- convicted (so far); zeros when the operation lies outside the filters or the scope.
with op as (
    select operation_id
    from operation_asked($operation_id, $forces, $crime_types, $agencies, $scope_forces, $scope_agencies)
)

select
    count(*)::integer as recorded,
    count(arrested_on)::integer as arrested,
    count(charged_on)::integer as charged,
    count(convicted_on)::integer as convicted
from offender
join op using (operation_id);
