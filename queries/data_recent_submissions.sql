-- returns: rows
-- The twelve returns received most recently, newest first: agency, month, file, when, and row counts.
with final as (
    select submission_id, agency_code, period as month, file_name, received_at,
           rows_in, rows_accepted, rows_rejected
    from submission
    where return_in_scope($scope_returns, agency_code)
)

select * from final order by received_at desc, submission_id desc limit 12;
