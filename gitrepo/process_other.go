//go:build !unix

package gitrepo

// processAlive cannot tell without a portable call: a pending refresh is
// taken as its owner's leftover, as after a kill.
func processAlive(pid int) bool { return false }
