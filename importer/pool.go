package importer

import (
	"context"
	"sync"
)

// pool runs the independent tasks of one phase on a fixed number of
// workers, so that requests overlap their latency while the client's pacer
// keeps the rate. Each worker sends one request at a time, so the workers
// bound the requests in flight. Tasks start in the order they were added
// (first in, first out): a task may wait for one added before it (a row
// for the row of the same title before it) without a deadlock, because
// whatever it waits for has already started; but a waiting task holds a
// worker that sends nothing, so a task that would wait long is better
// added by the task it waits for, when that one is done (as allContent
// does). A task may add tasks.
type pool struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	wake    *sync.Cond // a task was added or finished
	queue   []func(context.Context) error
	running int
	err     error // the first task's error; it stops the others
}

func newPool(ctx context.Context) *pool {
	p := &pool{}
	p.ctx, p.cancel = context.WithCancel(ctx)
	p.wake = sync.NewCond(&p.mu)
	return p
}

// add queues a task.
func (p *pool) add(task func(context.Context) error) {
	p.mu.Lock()
	p.queue = append(p.queue, task)
	p.mu.Unlock()
	p.wake.Signal()
}

// run works through the queue with n workers until it is empty and no task
// is running, or a task fails. It returns the first error.
func (p *pool) run(n int) error {
	var wg sync.WaitGroup
	for range max(n, 1) {
		wg.Go(p.work)
	}
	wg.Wait()
	p.cancel()
	return p.err
}

func (p *pool) work() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for len(p.queue) == 0 && p.running > 0 {
			p.wake.Wait()
		}
		if len(p.queue) == 0 {
			p.wake.Broadcast() // nothing queued, nothing running: all done
			return
		}
		task := p.queue[0]
		p.queue = p.queue[1:]
		p.running++
		p.mu.Unlock()
		err := p.ctx.Err() // a task after a failure or a cancel is skipped
		if err == nil {
			err = task(p.ctx)
		}
		p.mu.Lock()
		p.running--
		if err != nil && p.err == nil {
			p.err = err
			p.cancel()
		}
		p.wake.Broadcast()
	}
}
