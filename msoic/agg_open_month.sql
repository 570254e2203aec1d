-- The operations each lead agency had open in each month: one row per lead agency and month in
-- which at least one operation it leads was reported not closed (live or suspended). It says
-- when a ROCU's or partner's return is due (return_due in schema.sql) without reading every
-- operation-month. Built whole with $agencies null; after a load, the rows of the lead agencies
-- in $agencies only.
with final as (
    select o.lead_agency, m.month, count(*)::integer as open_ops
    from operation_month as m
    join operation as o using (operation_id)
    where m.status <> 'closed'
      and ($agencies is null or list_contains($agencies, o.lead_agency))
    group by all
)

select * from final
order by lead_agency, month;
