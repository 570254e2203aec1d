-- returns: reference
-- Resident population of the filtered force areas by region: the denominator of rates.
select
    region_code,
    sum(population)::bigint as population,
    min(population_year) as population_year
from force
where list_contains($forces, force_code)
group by region_code
order by region_code;
