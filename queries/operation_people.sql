-- returns: rows
-- The victims and offenders of one operation (all of its life) counted by sex, age group and
-- nationality; nothing when the operation lies outside the filters or the scope.
with op as (
    select operation_id
    from operation_asked($operation_id, $forces, $crime_types, $agencies, $scope_forces, $scope_agencies)
),

people as (
    select 'victim' as kind, sex, age_group, nationality
    from victim join op using (operation_id)
    union all
    select 'offender' as kind, sex, age_group, nationality
    from offender join op using (operation_id)
),

characteristics as (
    select kind, 1 as position, 'sex' as characteristic, sex as value from people
    union all
    select kind, 2, 'age_group', age_group from people
    union all
    select kind, 3, 'nationality', nationality from people
),

final as (
    select
        position,
        characteristic,
        value,
        count(*) filter (where kind = 'victim')::integer as victims,
        count(*) filter (where kind = 'offender')::integer as offenders
    from characteristics
    group by all
)

select characteristic, value, victims, offenders
from final
order by position, victims + offenders desc, value;
