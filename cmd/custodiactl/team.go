package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/custodia-dfir/custodia/casefile"
	"github.com/custodia-dfir/custodia/casefile/team"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
)

var caseCommand = &command{
	name:    "case",
	summary: "move a case between its file and a team server (PostgreSQL)",
	about: `Team mode keeps one case for many examiners on a PostgreSQL server, with the
same sealed rows and one custody ledger (docs/TEAM.md). case push and case
pull move a case between its file and the server, byte for byte and still
encrypted; no other command takes a server URL yet.`,
	sub: []*command{
		{
			name:    "push",
			summary: "move a case file onto a team server",
			about: `Open CASE, check its custody ledger with the case key, and copy the case
byte for byte into the team database at URL (postgres://user@host:port/database;
the password, if any, from the URL or ~/.pgpass), in one transaction: its
examiners, key slots, case record, incident and timeline records, evidence
items with their sealed chunks, and every ledger entry as it is, then one
entry more, case.pushed, signed by you, that commits to the file's head (its
hashes hold old_head_sha256). The server checks that every entry links. The
search index is not copied: it is rebuilt from the events.

Nothing is written to the file: it stays at its head, a verified copy of the
start of the shared ledger. Work on the shared case from then on; writing
to the file would make a second, different continuation of the ledger.

Refused, with nothing written, when the ledger does not verify, when the
case is already on the server, or when the file holds tables this Custodia
does not know.`,
			params: []param{caseParam, urlParam},
			opens:  true, changes: true,
			do: runCasePush,
		},
		{
			name:    "pull",
			summary: "write a single-file copy of a shared case",
			about: `Copy the case at URL (postgres://user@host:port/database) byte for byte into
a new case file FILE, which must not exist: everything push copies, as it
stands at one instant. The ledger's chain, signatures and head are checked
before the file is written and again in the file. The copy opens with the
same passphrases; 'custodiactl ledger verify FILE' checks its sealed entries
and 'custodiactl evidence verify FILE' its evidence.

The pull is then recorded on the server: the copy is opened with your
passphrase and you sign entry N + 1, case.pulled, which commits to the head
the copy ends at (hashes: pulled_head_sha256). Nothing is written to the
copy, so it is the start of the shared ledger; work recorded in the copy
later continues it separately from the shared case. If the pull cannot be
recorded, the copy is removed again.

--case names the case when the database holds several.`,
			params: []param{urlParam, {name: "FILE", why: "name the new case file to write", check: checkNewFile}},
			flags: []flagDef{{name: "case", usage: "the `UUID` of the case to pull, when the database holds several", line: true},
				passphraseFileFlag, examinerFlag, roleFlag("role")},
			changes: true,
			do:      runCasePull,
		},
	},
}

var urlParam = param{name: "URL", why: "name the team database, postgres://user@host:port/database", check: checkURL}

func checkURL(in *call, s string) (string, error) {
	if !strings.HasPrefix(s, "postgres://") && !strings.HasPrefix(s, "postgresql://") {
		return "", in.usagef("%q is not a team server URL: write postgres://user@host:port/database", s)
	}
	return s, nil
}

func checkNewFile(in *call, s string) (string, error) {
	if _, err := os.Lstat(s); err == nil {
		return "", in.usagef("%s exists: name a new file; Custodia never overwrites one", s)
	}
	return s, nil
}

// where names a database for people and for the ledger: user@host:port/db,
// never the password.
func where(url string) string {
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		return "the team server"
	}
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

func runCasePush(in *call, c *casefile.Case) error {
	url := in.args[1]
	rows, err := c.Rows()
	if err != nil {
		return err
	}
	signer, err := c.EntrySigner()
	if err != nil {
		return err
	}
	defer signer.Close()
	return in.interruptible(func(ctx context.Context) error {
		s, err := team.Open(ctx, url, team.Options{Clock: in.env.caseOpts.Clock})
		if err != nil {
			return err
		}
		defer s.Close()
		res, err := s.Push(ctx, rows, c, signer, in.reason, where(url))
		if err != nil {
			return err
		}
		fmt.Fprintf(in.stdout, "pushed case %s to %s: entries 1 to %d as they are, then entry %d %s after the file's head %s\n",
			rows.CaseID, where(url), res.Entries, res.Pushed.Seq, team.ActionCasePushed, res.OldHead)
		fmt.Fprintf(in.stdout, "the file %s is unchanged at entry %d; work on the shared case from now on\n", c.Path(), res.Entries)
		return nil
	})
}

func runCasePull(in *call, _ *casefile.Case) error {
	url, path := in.args[0], in.args[1]
	return in.interruptible(func(ctx context.Context) error {
		s, err := team.Open(ctx, url, team.Options{Clock: in.env.caseOpts.Clock})
		if err != nil {
			return err
		}
		defer s.Close()
		id, err := pickCase(ctx, s, in.text("case"), url)
		if err != nil {
			return err
		}
		err = s.Pull(ctx, id, func(rows *casefile.CaseRows, src casefile.RowSource) error {
			if r := casefile.VerifyLedgerRowsWithoutKey(rows.CaseID, rows.Ledger, rows.Signers(), rows.Head); !r.OK() {
				reportLedger(in.stdout, r, false, nil)
				return fmt.Errorf("the shared ledger of case %s does not verify: nothing was written", id)
			}
			return casefile.WriteCaseFile(ctx, path, rows, src)
		})
		if err != nil {
			return err
		}
		r, err := casefile.VerifyLedgerWithoutKey(path)
		if err != nil {
			return err
		}
		if !r.OK() {
			reportLedger(in.stdout, r, false, nil)
			return fmt.Errorf("the copy %s does not verify: keep it for examination and pull again", path)
		}
		// Record the pull, signed by whoever opens the copy.
		cf := caseFlags{examiner: in.text("examiner"), role: valueOf[casefile.Role](in, "role")}
		cf.file = in.text("passphrase-file")
		var pulled casefile.LedgerRow
		err = in.withCase(path, &cf, func(c *casefile.Case) error {
			signer, err := c.EntrySigner()
			if err != nil {
				return err
			}
			defer signer.Close()
			rs, err := s.Append(ctx, signer, casefile.Event{Action: team.ActionCasePulled,
				Target: casefile.Target{Type: casefile.TargetCase, ID: id.String()}, Reason: in.reason,
				Hashes:  map[string]string{"pulled_head_sha256": r.Head.String()},
				Details: map[string]string{"entries": fmt.Sprint(r.Entries), "file": filepath.Base(path)}})
			if err != nil {
				return err
			}
			pulled = rs[0]
			return nil
		})
		if err != nil {
			removeCase(path)
			return fmt.Errorf("the pull could not be recorded on the server, so the copy was removed again: %w", err)
		}
		fmt.Fprintf(in.stdout, "pulled case %s from %s into %s: %d entries, head %d %s; chain, signatures and head verify\n",
			id, where(url), path, r.Entries, r.HeadSeq, r.Head)
		fmt.Fprintf(in.stdout, "recorded on the server: entry %d %s\n", pulled.Seq, team.ActionCasePulled)
		return nil
	})
}

// removeCase removes a case file this command wrote, with its journal.
func removeCase(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		os.Remove(p)
	}
}

// pickCase returns the case named by --case, or the only case on the server.
func pickCase(ctx context.Context, s *team.Store, named, url string) (uuid.UUID, error) {
	if named != "" {
		id, err := uuid.Parse(named)
		if err != nil {
			return uuid.Nil, casefile.ErrInvalid.Errorf("--case %q is not a case UUID", named)
		}
		return id, nil
	}
	ids, err := s.Cases(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	switch len(ids) {
	case 0:
		return uuid.Nil, team.ErrNoSuchCase.Errorf("%s holds no case", where(url))
	case 1:
		return ids[0], nil
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = id.String()
	}
	return uuid.Nil, casefile.ErrInvalid.Errorf("%s holds %d cases (%s): name one with --case UUID", where(url), len(ids), strings.Join(names, ", "))
}
