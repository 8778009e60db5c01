package main

import (
	"context"
	"net"
	"net/http"

	"github.com/notion-git/notion-git/notion"
	"github.com/notion-git/notion-git/notion/emulator"
	"github.com/notion-git/notion-git/notion/emulator/workspace"
)

// The bundled emulator stands in for Notion in two places: sync --demo
// and restore --demo. This file is the
// only one of the command that builds it.

// demoRate is the emulator's budget in the demos: 50 requests/s makes a
// demo take seconds; the client is paced to it, as it would be to Notion's 3.
const demoRate = 50

// demoAPIURL is the name the demo's emulator answers to (RFC 6761 keeps
// every name under localhost on the loopback).
const demoAPIURL = "http://notion-demo.localhost"

// demoClient serves f on loopback and returns a client for it. The demo
// runs the real path: HTTP, pacer, retries.
func demoClient(g *Globals, f *emulator.Fixture) (*notion.Client, func(), error) {
	local, err := emulator.Listen("127.0.0.1:0", emulator.New(f, emulator.Options{Rate: demoRate, Burst: 10}))
	if err != nil {
		return nil, nil, err
	}
	// The listener gets a new port every run, and file URLs carry the
	// host they were served from; a fixed name that always dials the
	// listener keeps them, and so the snapshot, the same from run to run.
	dial := (&net.Dialer{}).DialContext
	httpClient := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dial(ctx, network, local.Addr)
		},
	}}
	client, err := notion.New(notion.Config{
		BaseURL: demoAPIURL, Token: emulator.DefaultToken, Version: g.NotionVersion,
		Rate: demoRate, Burst: g.Burst, HTTPClient: httpClient, UserAgent: "notion-git/" + version(),
	})
	if err != nil {
		local.Close()
		return nil, nil, err
	}
	return client, func() { local.Close() }, nil
}

// demoSyncClient is the emulator holding the sample workspace.
func demoSyncClient(g *Globals) (*notion.Client, func(), error) {
	return demoClient(g, workspace.Sample())
}

// demoRestoreClient is the emulator holding one empty page,
// workspace.EmptyTargetID, to restore into.
func demoRestoreClient(g *Globals) (*notion.Client, func(), error) {
	return demoClient(g, workspace.Empty("Restored demo"))
}
