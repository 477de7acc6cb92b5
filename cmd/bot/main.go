// Command bot runs Ladder: a Slack app that coaches engineering managers toward
// the next rung of the management ladder.
//
//	bot [serve]        run the app over Socket Mode
//	bot check [FILE]   validate a ladder file (default: the embedded prompts.yaml)
//	bot try [--db PATH] the whole app in a terminal, against a simulated workspace
//	bot backup PATH    an online, consistent copy of the database
//	bot healthcheck    probe /healthz, for container health checks
//	bot purge          erase every member's data, from disk
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Getenv, time.Now, os.Stdin, os.Stdout, os.Stderr)
	os.Exit(exitCode(err, os.Stderr))
}

// exitError carries the status the process should exit with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode prints err, if any, and returns the status to exit with: 0 for
// success, the code of an exitError, and 1 for anything else.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// run is the whole program. main calls it with the process's arguments,
// environment, the real clock and the standard streams; tests call it with
// their own and cancel ctx to stop it.
//
// clock is the one clock of the whole program: the app, the scheduler and bot
// try's simulated Slack all read it, so a test that sets it runs the program
// as if on that day.
//
// Configuration is read by envconfig, which reads the process environment and
// offers no other source, so tests set variables with t.Setenv. getenv serves
// the lookups that are not configuration.
func run(ctx context.Context, args []string, getenv func(string) string, clock func() time.Time, stdin io.Reader, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, clock, stderr)
	case "check":
		return check(args, stdout)
	case "simulate":
		return simulate(args, stdout)
	case "try":
		return try(ctx, args, getenv, clock, stdin, stdout, stderr)
	case "backup":
		return backup(ctx, args, stdout)
	case "healthcheck":
		return healthcheck(ctx, args, stdout)
	case "purge":
		return purge(ctx, args, clock, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return &exitError{2, fmt.Errorf("unknown command %q\n%s", cmd, usage)}
}

const usage = `usage:
  bot [serve]        run the app over Socket Mode (needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN)
  bot check [FILE]   validate a ladder file (default: the embedded prompts.yaml)
  bot simulate [FLAGS] [FILE]  replay weeks of prompts for a simulated member (bot simulate --help)
  bot try [--db PATH] the whole app in a terminal, against a simulated workspace (no Slack, no tokens);
                     a temporary database unless --db names one (LADDER_DB is never used)
  bot backup PATH    write an online, consistent copy of the database (LADDER_DB) to PATH
  bot healthcheck    exit 0 if the app's /healthz (LADDER_HTTP_ADDR) answers 200, for container health checks
  bot purge [--confirm]  erase every member's data from the database (LADDER_DB) now; without --confirm, say what it would erase
`
