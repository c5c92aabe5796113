#!/usr/bin/env python3
"""Where the command publisher's CPU goes, from `perf script -F comm,tid,ip,sym,dso` of its Native AOT process.

Each sample is given to one owner and one kind of work, both by the frame nearest the leaf that matches (the same
stack seen from the leaf up, so a continuation that runs inline is charged to the work it does, not to the caller
that resumed it). Then a few named costs are counted inclusively (a sample is in every one whose frame it has).
Usage: perf script -i perf.data -F comm,tid,ip,sym,dso > stacks.txt; python3 bench/perf/publisher_stacks.py stacks.txt
docs/performance.md ("Publisher status flow, measured with an SQS stand-in") has the command that recorded it.
"""
import collections
import re
import sys

OWNERS = [
    # SigV4SigningHandler is the AWS SDK's DelegatingHandler our IotDataPublisher signs each publish with;
    # the SQS client signs in its own pipeline (Internal_Signer), so the two never share a stack.
    ("IoT publish (IotDataPublisher, the SDK's SigV4SigningHandler)", r"SigV4SigningHandler|IotDataPublisher"),
    ("status send (CommandStatusSender, AmazonSQSClient's pipeline)",
     r"AWSSDK_SQS|CommandStatusSender|AWSSDK_Core_Amazon_Runtime_Internal_(?!Auth)|AWSSDK_Core_Amazon_Runtime_HttpWebRequestMessage"),
    ("logging", r"JsonLog|Logging"),
    ("Runtime API client, invocation loop", r"RuntimeApi|InvocationLoop"),
    ("the function's own code", r"Queueing_"),
]
UNOWNED = "no owner on the stack (thread switches, idle workers, socket I/O completions)"

KINDS = [
    ("exception throw/catch", r"RhThrowEx|RhpThrowEx|DispatchEx|StackFrameIterator|libunwind|RhpCallCatchFunclet|RhRethrow"),
    ("GC, allocation", r"WKS::|gc_heap|RhpNew|RhpGcAlloc|RhpAssignRef|RhpCheckedAssign"),
    ("hashing (HMAC, SHA-256, MD5)", r"HMAC|SHA256|Sha256|MD5|Md5|libcrypto|HashProvider|IncrementalHash|ComputeHash"),
    ("SigV4 canonical request, headers", r"AWS4Signer|AWSSigV4Signer|SigV4SigningHandler__(Build|Collect|Apply|NewSigning|Remove|Hash)|CanonicalizeResourcePath|UrlEncode|RegionFinder|DetermineRegion"),
    ("JSON", r"Json"),
    ("HttpClient", r"System_Net_Http"),
    ("sockets, epoll, system calls", r"System_Net_Sockets|__send|__recv|epoll|__libc_write|__libc_read"),
    ("thread pool, wake-ups, locks", r"ThreadPool|LowLevel|pthread_|futex|lll_lock|Monitor|Lock"),
    ("async state machines (the SDK's handler chain, awaits)", r"AsyncMethodBuilder|AsyncStateMachineBox|ExecutionContext|Task"),
]

NAMED = [
    ("exception frames, any (throw, dispatch, unwind)", r"RhThrowEx|RhpThrowEx|DispatchEx|StackFrameIterator|libunwind"),
    ("SigV4SigningHandler.RemoveFromContentHeaders (its exception's construction, throw and catch)", r"RemoveFromContentHeaders"),
    ("SigV4 signing of the publishes", None),
    ("SigV4 signing of the SendMessageBatch calls", None),
    ("SQS request marshalling", r"Internal_Marshaller__PreInvoke|SendMessageBatchRequestMarshaller"),
    ("SQS response unmarshalling and MD5 check", r"Internal_Unmarshaller__(UnmarshallAsync|UnmarshallResponse)|ValidateSendMessageBatch|SendMessageBatchResponseUnmarshaller"),
    ("  of which the MD5 check (ValidationResponseHandler)", r"ValidateSendMessageBatch"),
    ("MD5, anywhere", r"MD5|Md5"),
    ("writing the status messages (CommandStatusMessage)", r"CommandStatusMessage"),
    ("log lines (JsonLogger)", r"JsonLog"),
    ("kernel thread switches (finish_task_switch)", r"finish_task_switch"),
]
SIGNING = r"AWSSigV4Signer__Sign|AWS4Signer__|SigV4SigningHandler__(BuildSigningRequestAsync|ApplySigningHeaders|HashBodyAsync|HashStream|CollectHeaders|NewSigningRequest)"


def read(path):
    stacks = []
    for sample in open(path, encoding="utf-8", errors="replace").read().split("\n\n"):
        frames = [line.strip().split(" ", 1)[1] for line in sample.splitlines()[1:] if " " in line.strip()]
        if frames:
            stacks.append(frames)
    return stacks


def nearest(frames, table):
    for frame in frames:
        for name, pattern in table:
            if re.search(pattern, frame):
                return name
    return None


def main(path):
    stacks = read(path)
    total = len(stacks)
    owners, kinds, grid = collections.Counter(), collections.Counter(), collections.Counter()
    for frames in stacks:
        owner = nearest(frames, OWNERS) or UNOWNED
        kind = nearest(frames, KINDS) or "other"
        owners[owner] += 1
        kinds[kind] += 1
        grid[owner, kind] += 1

    def line(count, name, of=total):
        print(f"{100 * count / total:6.1f} %  {count:6d}  {name}" + ("" if of == total else f"  ({100 * count / of:.0f} % of its owner)"))

    print(f"{total} samples\n\nBy owner:")
    for name, count in owners.most_common():
        line(count, name)
    print("\nBy kind of work:")
    for name, count in kinds.most_common():
        line(count, name)
    for owner, _ in owners.most_common():
        if owner == UNOWNED:
            continue
        print(f"\n{owner}:")
        for (o, kind), count in sorted(grid.items(), key=lambda item: -item[1]):
            if o == owner:
                line(count, kind, owners[owner])
    print("\nNamed costs (inclusive):")
    for name, pattern in NAMED:
        if name.startswith("SigV4 signing of the publishes"):
            count = sum(1 for f in stacks if any(re.search(SIGNING, x) for x in f) and not any("Internal_Signer" in x for x in f))
        elif name.startswith("SigV4 signing of the SendMessageBatch"):
            count = sum(1 for f in stacks if any(re.search(SIGNING, x) for x in f) and any("Internal_Signer" in x for x in f))
        else:
            count = sum(1 for f in stacks if any(re.search(pattern, x) for x in f))
        line(count, name)


if __name__ == "__main__":
    main(sys.argv[1])
