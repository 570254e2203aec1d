-- The data contract of MSOIC Analysis: every table, key and allowed value.
-- A row that breaks it is refused by the database itself.

-- Reference data (loaded from data/reference/*.csv) ---------------------------

create table region (
    region_code varchar primary key,
    name        varchar not null unique,
    rocu        varchar not null,
    nation      varchar not null
        check (nation in ('England', 'Wales', 'Scotland', 'Northern Ireland'))
);

create table force (
    force_code  varchar primary key,
    name        varchar not null unique,
    region_code varchar not null references region (region_code),
    population      integer not null check (population > 0),  -- resident population, mid-year estimate
    population_year integer not null check (population_year between 2000 and 2100)
);

create table agency (
    agency_code varchar primary key,
    name        varchar not null unique,
    -- police: a territorial force (its code is its force area's); rocu: a Regional Organised
    -- Crime Unit; partner: a national or partner agency without a territory of its own.
    kind        varchar not null check (kind in ('police', 'rocu', 'partner'))
);

create table crime_type (
    crime_type_code varchar primary key,
    family          varchar not null check (family in ('MS', 'OIC')),
    label           varchar not null unique
);

-- Lineage and quarantine --------------------------------------------------------

create table submission (
    submission_id integer primary key,
    agency_code   varchar not null references agency (agency_code),
    period        date not null check (day(period) = 1),
    file_name     varchar not null,
    sha256        varchar not null check (regexp_full_match(sha256, '[0-9a-f]{64}')),
    received_at   timestamp not null,
    rows_in       integer not null check (rows_in >= 0),
    rows_accepted integer not null check (rows_accepted >= 0),
    rows_rejected integer not null check (rows_rejected >= 0),
    sent_on       date,                          -- when the agency says it sent the return, if it says
    backfill      boolean not null default false, -- loaded as history: without sent_on, not judged on time
    check (rows_in = rows_accepted + rows_rejected)
);

create table rejected_row (
    submission_id integer not null references submission (submission_id),
    sheet         varchar not null check (sheet in ('operations', 'victims', 'offenders')),
    row_number    integer not null check (row_number >= 1),
    raw           varchar not null,
    errors        varchar not null,
    primary key (submission_id, sheet, row_number)
);

-- The rows a correction replaced, as they stood (JSON), kept so that a replaced return can be
-- restored (loading its file again does it) and audited.
create table superseded_row (
    superseded_by integer not null references submission (submission_id),
    table_name    varchar not null check (table_name in ('operation', 'operation_month', 'victim', 'offender')),
    row           varchar not null
);

-- Facts -----------------------------------------------------------------------
-- Keys and checks are enforced here; references (operation_id, agency, force, crime type,
-- submission) are not declared as foreign keys: DuckDB keeps an index per foreign key, which
-- doubled the cost of loading a return and grew with the data. The loader checks every
-- reference before it writes a row, and `python -m msoic check` checks them on the whole file.

create table operation (
    operation_id  varchar primary key,
    codename      varchar not null,
    lead_agency   varchar not null,                                  -- agency
    force_code    varchar not null,                                  -- force: the force area it runs in (its primary one), or national
    crime_type    varchar not null,                                  -- crime_type
    opened_on     date not null,
    closed_on     date check (closed_on >= opened_on),
    ocg_ref       varchar,                                           -- the organised crime group, when identified
    county_lines  boolean not null,
    submission_id integer,     -- submission: the return it came in with (after a correction, the first current one reporting it)
    other_force_codes varchar[] not null default []                  -- force: other areas it also runs in
);

create table operation_month (
    operation_id varchar not null,                                    -- operation
    month        date not null check (day(month) = 1),
    status       varchar not null check (status in ('live', 'suspended', 'closed')),
    stage        varchar not null
        check (stage in ('intelligence', 'investigation', 'prosecution', 'concluded')),
    primary key (operation_id, month)
);

create table victim (
    victim_id         varchar primary key,
    person_ref        varchar not null,   -- keyed pseudonym: the same person across operations
    operation_id      varchar not null,   -- operation
    identified_on     date not null,
    sex               varchar not null check (sex in ('male', 'female', 'other', 'unknown')),
    age_group         varchar not null check (age_group in ('child', 'adult', 'unknown')),
    nationality       varchar not null check (regexp_full_match(nationality, '[A-Z]{3}')),
    second_nationality varchar check (regexp_full_match(second_nationality, '[A-Z]{3}')
        and second_nationality not in (nationality, 'UNK')),    -- a dual national's other nationality
    -- The headline type: the one type recorded, 'multiple' for a combination, or 'unknown'.
    exploitation_type varchar not null check (exploitation_type in (
        'labour', 'sexual', 'criminal', 'domestic_servitude', 'organ_harvesting', 'multiple',
        'unknown')),
    -- Every type recorded, in alphabetical order without repeats (e.g. ['criminal', 'labour']);
    -- ['multiple'] from a first-format return that said only "multiple".
    exploitation_types varchar[] not null check (len(exploitation_types) >= 1
        and exploitation_types = list_sort(list_distinct(exploitation_types))
        and list_has_all(['labour', 'sexual', 'criminal', 'domestic_servitude', 'organ_harvesting', 'multiple',
                          'unknown'], exploitation_types)
        and (len(exploitation_types) = 1 or not list_has_any(exploitation_types, ['multiple', 'unknown']))),
    nrm_referred      boolean not null,
    nrm_referred_on   date,
    submission_id     integer,            -- submission: the return that gave this record
    check (nrm_referred = (nrm_referred_on is not null)),
    check (nrm_referred_on >= identified_on),
    check (exploitation_type = case when len(exploitation_types) = 1 then exploitation_types[1] else 'multiple' end)
);

create table offender (
    offender_id    varchar primary key,
    person_ref     varchar not null,
    operation_id   varchar not null,      -- operation
    sex            varchar not null check (sex in ('male', 'female', 'other', 'unknown')),
    age_group      varchar not null check (age_group in ('child', 'adult', 'unknown')),
    nationality    varchar not null check (regexp_full_match(nationality, '[A-Z]{3}')),
    second_nationality varchar check (regexp_full_match(second_nationality, '[A-Z]{3}')
        and second_nationality not in (nationality, 'UNK')),
    role           varchar not null check (role in (
        'organiser', 'controller', 'recruiter', 'transporter', 'enforcer', 'money_handler',
        'facilitator', 'other')),
    arrested_on    date,
    charged_on     date,
    charge_offence varchar check (charge_offence in (
        'msa2015_s1', 'msa2015_s2', 'ia1971_s25', 'other')),
    convicted_on   date,
    submission_id  integer,               -- submission: the return that gave this record
    check ((charged_on is null) = (charge_offence is null)),
    check (charged_on >= arrested_on),
    check (convicted_on is null or charged_on <= convicted_on)
);

-- Rules ------------------------------------------------------------------------

-- A month's return is due by the 15th of the following month: it is late from this moment on
-- (midnight at the start of the 16th).
create macro return_late_from(month) as month + interval 1 month + interval 15 day;

-- Whether a return was on time, judged on when it was sent (sent_on, when the return says so)
-- or else received; null for history loaded as backfill without a sent date (not judged).
create macro return_on_time(month, sent_on, received_at, backfill) as
    case
        when sent_on is not null then sent_on < return_late_from(month)
        when backfill then null
        else received_at < return_late_from(month)
    end;

-- Derived from the facts (db.build_aggregates, msoic/agg_open_month.sql): the operations each lead
-- agency had open (reported live or suspended) in each month it had any. Built whole with the
-- database and brought up to date by every load, as the monthly cube is.
create table agg_open_month (
    lead_agency varchar not null,
    month       date not null,
    open_ops    integer not null check (open_ops > 0)
);

-- When a return is due (docs/returns.md, "When a return is due"): from a territorial force for
-- every month (a nil return when it has nothing to report); from a ROCU or a partner agency for
-- a month when it led an operation still open (not closed) in the month before. One row per
-- agency and month due, from first_month to last_month. Read from agg_open_month, whose size does
-- not grow with the number of operations.
create macro return_due(first_month, last_month) as table
    select a.agency_code, m.month::date as month
    from agency as a
    cross join (select unnest(generate_series(first_month::date, last_month::date, interval 1 month)) as month) as m
    where a.kind = 'police'
    union
    select o.lead_agency as agency_code, (o.month + interval 1 month)::date as month
    from agg_open_month as o
    join agency as a on a.agency_code = o.lead_agency
    where a.kind <> 'police'
      and o.month + interval 1 month between first_month::date and last_month::date;

-- What was received (docs/returns.md, "Coverage"): one row per agency and month from first_month
-- to last_month, whether its return was due (return_due) and whether one was received (nil
-- returns included). A force area's figures for a month are known only when its territorial
-- force's return was received: a month without it is "no data", never zero.
create macro coverage(first_month, last_month) as table
    select
        a.agency_code,
        m.month::date as month,
        d.agency_code is not null as due,
        s.agency_code is not null as received
    from agency as a
    cross join (select unnest(generate_series(first_month::date, last_month::date, interval 1 month)) as month) as m
    left join return_due(first_month, last_month) as d
        on d.agency_code = a.agency_code and d.month = m.month::date
    left join (select distinct agency_code, period from submission) as s
        on s.agency_code = a.agency_code and s.period = m.month::date;

-- The force areas of every operation (docs/returns.md, "Force areas"): one row for its primary
-- area (Force area) and one for each other area it also runs in, primary marking which; an
-- operation with no territorial area has one row, 'national'. Per-force counts of operations
-- count an operation in every area it names; a total counts it once.
create macro operation_area() as table
    select operation_id, force_code, true as primary_area
    from operation
    union all
    select operation_id, unnest(other_force_codes) as force_code, false as primary_area
    from operation;

-- The build ----------------------------------------------------------------------

create table meta (
    key   varchar primary key,
    value varchar not null
);

-- Changes the synthetic generator put in on purpose: ground truth for change detection.
create table demo_event (
    event_id    integer primary key,
    region_code varchar not null references region (region_code),
    crime_type  varchar not null references crime_type (crime_type_code),
    start_month date not null check (day(start_month) = 1),
    end_month   date check (end_month >= start_month),
    multiplier  double not null check (multiplier > 0),
    description varchar not null
);

-- What a question may see ------------------------------------------------------------
-- Every question filters through these two macros, so the sidebar's view and a person's scope
-- change in one place. Lists are bound by the runner ($forces, $scope_forces, ...); paste a
-- question into a DuckDB shell on the database file with literal lists in their place.

-- Whether code is in list, exactly as list_contains(list, code) answers: null when either is null,
-- else whether an element equals it (a null element matches nothing). Written with list_position,
-- which DuckDB evaluates over a large table in about half the time: list_contains of a bound list
-- is planned as a join for each call (at scale 100, the national view's filters over agg_offender
-- took 80 ms with list_contains, 40 with this).
create macro is_listed(list, code) as
    case when list is null or code is null then null else list_position(list::varchar[], code) is not null end;

-- In view: an operation (or a cell of the monthly cube) in one of the chosen force areas, of one
-- of the chosen crime types and led by one of the chosen agencies.
create macro in_view(forces, crime_types, agencies, force_code, crime_type, lead_agency) as
    is_listed(forces, force_code)
    and is_listed(crime_types, crime_type)
    and is_listed(agencies, lead_agency);

-- In scope, at row level: an operation run in one of the person's force areas or led by one of
-- their agencies. For a return, pass its agency as both (a force's code is its agency code).
create macro in_scope(scope_forces, scope_agencies, force_code, lead_agency) as
    is_listed(scope_forces, force_code)
    or is_listed(scope_agencies, lead_agency);

-- In scope, a return: one sent by one of the agencies whose returns the person may see.
create macro return_in_scope(scope_returns, agency_code) as
    is_listed(scope_returns, agency_code);

-- The victims identified in the months first_month to last_month (the month of identified_on),
-- in operations within the sidebar's view: every column of victim, the month they were
-- identified (identified_month) and their operation's force area. Every victims_* question
-- reads its victims from here, so what "victims in view" means is written once; but for the
-- Victims page's headline (month by month, NRM referral and its delay), which counts the same
-- victims from the derived table agg_victim_month (msoic/agg_victim_month.sql): change both.
create macro victims_in_view(first_month, last_month, forces, crime_types, agencies) as table
    select v.*, date_trunc('month', v.identified_on)::date as identified_month, o.force_code
    from victim as v
    join operation as o using (operation_id)
    where date_trunc('month', v.identified_on) between first_month and last_month
      and in_view(forces, crime_types, agencies, o.force_code, o.crime_type, o.lead_agency);

-- Derived from the facts (db.build_aggregates, msoic/agg_offender.sql): each offender with what
-- the Offenders page asks of their operation (its area, crime type, lead agency, opening day and
-- reported months). Declared here, as agg_open_month is, for the macro that reads it; built whole
-- with the database and brought up to date by every load.
create table agg_offender (
    offender_id  varchar not null,
    operation_id varchar not null,
    force_code   varchar not null,
    crime_type   varchar not null,
    lead_agency  varchar not null,
    opened_on    date not null,
    first_month  date,    -- null, with last_month and unbroken, for an operation never reported
    last_month   date,
    unbroken     boolean,
    arrested_on  date,
    charged_on   date,
    convicted_on date,
    person_ref   varchar not null,
    nationality  varchar not null,
    sex          varchar not null,
    age_group    varchar not null,
    role         varchar not null
);

-- The offenders recorded in operations reported (live, suspended or closed) in at least one month
-- of period_start to period_end, in operations within the sidebar's view and the scope (row level,
-- as in_scope): every column of agg_offender. The offenders_* questions and the victims also
-- offenders read their offenders from here, so what "offenders in view" means is written once. An
-- operation reported in every month from its first to its last was reported in the period when
-- the two overlap; only one with a month missing has its months read. Not materialized: the
-- offenders of operations reported unbroken (most) stream from the scan to the question, and
-- DuckDB keeps only the rows of the others, read twice; materializing every offender in view cost
-- half the funnel's time.
create macro offenders_reported(period_start, period_end, forces, crime_types, agencies, scope_forces, scope_agencies) as table
    with in_view as not materialized (
        select *
        from agg_offender
        where first_month <= period_end
          and last_month >= period_start
          and in_view(forces, crime_types, agencies, force_code, crime_type, lead_agency)
          and in_scope(scope_forces, scope_agencies, force_code, lead_agency)
    )
    select *
    from in_view
    where unbroken
    union all
    select *
    from in_view
    where not unbroken
      and operation_id in (
          select operation_id
          from operation_month
          where month between period_start and period_end
            and operation_id in (select operation_id from in_view where not unbroken)
      );

-- The one operation a page opens (wanted), when it lies within the sidebar's view and the scope
-- of the person asking; else nothing. The operation_* questions start from here.
create macro operation_asked(wanted, forces, crime_types, agencies, scope_forces, scope_agencies) as table
    select *
    from operation
    where operation_id = wanted
      and in_view(forces, crime_types, agencies, force_code, crime_type, lead_agency)
      and in_scope(scope_forces, scope_agencies, force_code, lead_agency);
