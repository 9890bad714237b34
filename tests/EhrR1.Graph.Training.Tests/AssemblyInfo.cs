// The trainers seed TorchSharp's global random generator (torch.manual_seed), which is process-wide state: test
// classes running in parallel draw from it concurrently and change each other's initial weights, so a test that
// compares two runs (resume vs uninterrupted) can fail by chance. The classes of this assembly run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
