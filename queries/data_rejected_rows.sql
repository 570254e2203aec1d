-- returns: rows
-- Every rejected row of the returns for the months of the period, with its reasons, its
-- return (agency, month, file, when received) and the cells as sent.
with final as (
    select
        s.agency_code,
        s.period as month,
        s.file_name,
        s.received_at,
        r.submission_id,
        r.sheet,
        r.row_number,
        r.errors,
        r.raw
    from rejected_row as r
    join submission as s using (submission_id)
    where s.period between $start and $end
      and list_contains($agencies, s.agency_code)
      and return_in_scope($scope_returns, s.agency_code)
)

select * from final order by received_at desc, submission_id, sheet, row_number;
