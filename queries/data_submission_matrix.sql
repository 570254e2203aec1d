-- returns: rows
-- One row per agency and month of the period where a return was sent or due: its state
-- (on time by the 15th of the next month, late, missing, or not yet due while $today is before
-- that deadline; judged on the first submission's sent date when it gives one; 'backfill' for
-- history loaded late without one) and whether its rows had rejects.
-- When a return is due is the macro return_due (schema.sql; docs/returns.md), as on the
-- scorecard. The latest submission for an agency and month counts.
with months as (
    select unnest(generate_series($start, $end, interval 1 month))::date as month
),

expected as (
    select agency_code, month
    from return_due($start, $end)
    where list_contains($agencies, agency_code)
      and return_in_scope($scope_returns, agency_code)
),

latest as (
    select
        agency_code,
        period as month,
        arg_max(received_at, submission_id) as received_at,
        arg_min(return_on_time(period, sent_on, received_at, backfill), submission_id) as first_on_time,
        arg_max(rows_rejected, submission_id) as rows_rejected,
        arg_max(rows_in, submission_id) as rows_in,
        min(received_at) as first_received_at,
        count(*) as submissions
    from submission
    where list_contains($agencies, agency_code)
      and return_in_scope($scope_returns, agency_code)
    group by all
),

cells as (
    select
        coalesce(l.agency_code, e.agency_code) as agency_code,
        coalesce(l.month, e.month) as month,
        l.first_received_at,
        l.first_on_time,
        l.rows_in,
        l.rows_rejected,
        coalesce(l.submissions, 0) as submissions
    from latest as l
    full join expected as e on e.agency_code = l.agency_code and e.month = l.month
),

final as (
    select
        c.agency_code,
        c.month,
        case
            when c.first_received_at is null
                 and $today < return_late_from(c.month) then 'not yet due'
            when c.first_received_at is null then 'missing'
            when c.first_on_time is null then 'backfill'
            when c.first_on_time then 'on time'
            else 'late'
        end as state,
        coalesce(c.rows_rejected, 0) > 0 as with_rejects,
        c.rows_in,
        c.rows_rejected,
        c.submissions,
        c.first_received_at as received_at
    from cells as c
    join months as m using (month)
)

select * from final order by agency_code, month;
