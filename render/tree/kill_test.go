package tree

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/synth"
	"github.com/tandemdev/tandem/manifest"
)

// writerEnv makes the test binary a writer instead of running the tests:
// it writes the job in the file the variable names, for the tests below
// to kill it on the way.
const writerEnv = "TANDEM_TREE_TEST_WRITER"

// writerJob is what a writer process writes.
type writerJob struct {
	Dir   string
	Owner Owner
	Files manifest.Files
}

func TestMain(m *testing.M) {
	if job := os.Getenv(writerEnv); job != "" {
		os.Exit(runWriter(job))
	}
	os.Exit(m.Run())
}

// runWriter writes the job in file, telling its parent "writing" just
// before it starts.
func runWriter(file string) int {
	in, err := os.Open(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	var job writerJob
	if err := gob.NewDecoder(bufio.NewReader(in)).Decode(&job); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	fmt.Println("writing")
	if _, err := Write(fsys.OS{}, job.Dir, job.Files, job.Owner); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// writer is a job on disk, for writer processes.
func writerFile(t *testing.T, job writerJob) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "job.gob")
	out, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := gob.NewEncoder(out).Encode(job); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return file
}

// startWriter starts a writer process on job and waits until it is about
// to write.
func startWriter(t *testing.T, job string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), writerEnv+"="+job)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "writing\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the writer said %q: %v", line, err)
	}
	return cmd
}

// waitForJournal waits until a writer's journal is in dir, and returns
// when it saw it; zero when the writer exited first.
func waitForJournal(dir string, exited chan error) time.Time {
	for {
		if _, err := os.Lstat(filepath.Join(dir, journalFile)); err == nil {
			return time.Now()
		}
		select {
		case err := <-exited:
			exited <- err // for the caller
			return time.Time{}
		default:
			time.Sleep(50 * time.Microsecond)
		}
	}
}

// diskTree is every file and folder under dir on disk.
func diskTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	return treeSnapshot(t, fsys.OS{}, dir)
}

// syntheticTrees renders two versions of a catalogue of n services: the
// second changes files of every service and adds services; going back
// from it to the first removes them.
func syntheticTrees(t *testing.T, n int) (old, new manifest.Files) {
	t.Helper()
	old = renderCatalogue(t, string(synth.Catalogue(n)))
	next := strings.ReplaceAll(string(synth.Catalogue(n+n/10)), "LOG_LEVEL: info", "LOG_LEVEL: debug")
	return old, renderCatalogue(t, next)
}

// TestSIGKILLedRendersLeaveTheOldTreeOrTheNew kills writer processes
// with SIGKILL at random points of a render of 200 services, a hundred
// times (twenty with -short): half anywhere, half at random once the
// journal is there, while the files move into place. After each kill,
// check sees an interrupted render or one render's files, and the next
// command's recovery leaves the old tree or the new one exactly, file
// for file and folder for folder: no staging folder, no journal left.
func TestSIGKILLedRendersLeaveTheOldTreeOrTheNew(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "deploy")
	owner := Owner{Catalogue: filepath.Join(filepath.Dir(dir), "tandem.yaml")}
	oldFiles, newFiles := syntheticTrees(t, 200)
	if _, err := Write(fsys.OS{}, dir, oldFiles, owner); err != nil {
		t.Fatal(err)
	}
	oldTree := diskTree(t, dir)
	jobs := map[bool]string{ // the job that leads away from the old tree, or back to it
		true:  writerFile(t, writerJob{Dir: dir, Owner: owner, Files: newFiles}),
		false: writerFile(t, writerJob{Dir: dir, Owner: owner, Files: oldFiles}),
	}
	// One whole render, to learn how long one takes once started, and
	// how long it takes once its journal is there.
	writer := startWriter(t, jobs[true])
	began := time.Now()
	exited := make(chan error, 1)
	go func() { exited <- writer.Wait() }()
	journalAt := waitForJournal(dir, exited)
	if err := <-exited; err != nil {
		t.Fatal(err)
	}
	took := time.Since(began)
	applying := took / 10
	if !journalAt.IsZero() {
		applying = time.Since(journalAt)
	}
	newTree := diskTree(t, dir)
	t.Logf("%d files, %d of them changing; one render takes %s, %s of it with the journal there", len(newFiles), len(newTree)-len(oldTree), took, applying)

	isOld := false
	kills, outcomes := 100, map[string]int{}
	if testing.Short() {
		kills = 20
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 19))
	for i := range kills {
		// Half the kills anywhere in the render; half while the files
		// move into place, once the journal is there.
		writer := startWriter(t, jobs[isOld])
		exited := make(chan error, 1)
		go func() { exited <- writer.Wait() }()
		if i%2 == 0 {
			time.Sleep(time.Duration(rng.Int64N(int64(took))))
		} else if !waitForJournal(dir, exited).IsZero() {
			time.Sleep(time.Duration(rng.Int64N(int64(applying) + 1)))
		}
		writer.Process.Signal(syscall.SIGKILL)
		<-exited
		wasOld := isOld
		// What check sees before the next render: an interrupted render,
		// or one render's files.
		journaled, _ := hasJournal(fsys.OS{}, dir)
		read, err := ReadGenerated(fsys.OS{}, dir, owner)
		switch {
		case journaled:
			outcomes["with the journal there"]++
			if !errors.Is(err, ErrInterrupted) {
				t.Errorf("kill %d: with the journal there, check reads %d files: %v", i, len(read), err)
			}
		case err != nil || (!maps.EqualFunc(read, oldFiles, bytes.Equal) && !maps.EqualFunc(read, newFiles, bytes.Equal)):
			t.Errorf("kill %d: without a journal, check reads neither render's files: %v", i, err)
		}
		// The next command.
		release, err := lockTree(fsys.OS{}, dir, true)
		if err != nil {
			t.Fatal(err)
		}
		_, err = recoverTree(fsys.OS{}, dir)
		release()
		if err != nil {
			t.Fatalf("kill %d: recovering: %v", i, err)
		}
		switch got := diskTree(t, dir); {
		case maps.Equal(oldTree, got):
			isOld = true
		case maps.Equal(newTree, got):
			isOld = false
		default:
			t.Fatalf("kill %d: the tree is neither the old one nor the new (-new +got):\n%s", i, cmp.Diff(newTree, got))
		}
		switch {
		case journaled:
		case isOld == wasOld:
			outcomes["before the journal"]++
		default:
			outcomes["after the render"]++
		}
	}
	t.Logf("after %d kills: %v in %s", kills, outcomes, time.Since(began))
	if outcomes["with the journal there"] == 0 {
		t.Error("no kill came while the files moved into place")
	}
}

// TestRendersAtOnce: renders into one folder at the same time wait for
// one another; each succeeds, and readers among them see one render's
// tree or the other's, never a mix.
func TestRendersAtOnce(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "deploy")
	owner := Owner{Catalogue: filepath.Join(filepath.Dir(dir), "tandem.yaml")}
	oldFiles, newFiles := syntheticTrees(t, 60)
	if _, err := Write(fsys.OS{}, dir, oldFiles, owner); err != nil {
		t.Fatal(err)
	}
	jobs := []string{
		writerFile(t, writerJob{Dir: dir, Owner: owner, Files: newFiles}),
		writerFile(t, writerJob{Dir: dir, Owner: owner, Files: oldFiles}),
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				got, err := ReadGenerated(fsys.OS{}, dir, owner)
				if err != nil {
					t.Errorf("reading while others render: %v", err)
					return
				}
				if !cmp.Equal(got, oldFiles) && !cmp.Equal(got, newFiles) {
					t.Errorf("a reader saw a tree that is neither render's: %d files", len(got))
					return
				}
				time.Sleep(10 * time.Millisecond) // a check now and then, not a siege

			}
		}()
	}
	for round := range 5 {
		var writers []*exec.Cmd
		for _, job := range jobs {
			writers = append(writers, startWriter(t, job))
		}
		for _, w := range writers {
			if err := w.Wait(); err != nil {
				t.Errorf("round %d: a render beside another: %v", round, err)
			}
		}
		if got, err := ReadGenerated(fsys.OS{}, dir, owner); err != nil || (!cmp.Equal(got, oldFiles) && !cmp.Equal(got, newFiles)) {
			t.Errorf("round %d: after two renders at once: %v", round, err)
		}
		if leftovers, _ := filepath.Glob(filepath.Join(dir, ".tandem-[sj]*")); len(leftovers) > 0 {
			t.Errorf("round %d: left %v", round, leftovers)
		}
	}
	close(done)
	readers.Wait()
}
