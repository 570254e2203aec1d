-- The victims by the month they were identified, the force area, crime type and lead agency of
-- their operation, sex, age group and the days from identification to NRM referral (null when not
-- referred): one row per combination, counting victims. The Victims page's headline questions
-- (month by month, NRM referral and its delay) read it instead of every victim joined to its
-- operation: the same victims as victims_in_view (schema.sql). Ordered by force area and month,
-- so a view of a few force areas or months reads only their blocks. Built whole with $agencies
-- null; after a load, the rows of the lead agencies in $agencies only (a victim belongs to its
-- operation's lead agency's returns).
with victims as (
    select
        date_trunc('month', v.identified_on)::date as identified_month,
        o.force_code,
        o.crime_type,
        o.lead_agency,
        v.sex,
        v.age_group,
        (v.nrm_referred_on - v.identified_on)::integer as referral_days
    from victim as v
    join operation as o using (operation_id)
    where $agencies is null or list_contains($agencies, o.lead_agency)
),

final as (
    select
        identified_month,
        force_code,
        crime_type,
        lead_agency,
        sex,
        age_group,
        referral_days,
        count(*)::integer as victims
    from victims
    group by all
)

select * from final
order by force_code, identified_month, lead_agency, crime_type, sex, age_group, referral_days;
