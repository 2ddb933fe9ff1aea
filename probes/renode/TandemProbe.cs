// tandem's cost-and-reach probe inside Renode: compiled into a Renode process with `include` (like the
// board models) and driven from harness/emulators/renode/probe.ts through three monitor commands on
// the CPU: TandemProbeStart "<plan>", TandemProbeDetach, TandemProbeFinish "<records>".
//
// Renode runs an address hook by stopping the CPU at a breakpoint and translating the code around it
// again (milliseconds each), so most of what tandem watches is seen at the start of translated
// blocks instead (a callback that stops nothing):
// - a measured function's entry starts a block; the call's return address (LR) and stack pointer are
//   read there, and the call ends when a block starts at that address with that stack pointer (tail
//   calls and returns need no following);
// - a test case's function starts a block;
// - a block executes whole, so every basic-block leader inside it ran (reach);
// - exceptions come from Renode's interrupt callbacks, with the stack pointer the interrupted code
//   had (at entry) and gets back (at return): an exception that switches threads (PendSV) is seen
//   there, and no instruction of the switch needs watching.
// A switch made outside an exception (the demo firmware's) needs the registers of its load/store-
// multiple mid-block: it gets an address hook, and only while some call is open. The records mean
// what the QEMU plugin's do.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Antmicro.Renode.Peripherals.CPU;

namespace Tandem
{
    public static class TandemProbe
    {
        public static void TandemProbeStart(this TranslationCPU cpu, string planFile)
        {
            TandemProbeDetach(cpu);
            var p = new Probe(cpu);
            foreach(var line in File.ReadAllLines(planFile))
            {
                var f = line.Split(' ');
                if(f.Length < 3)
                {
                    continue;
                }
                var address = Convert.ToUInt64(f[1], 16);
                switch(f[0])
                {
                case "entry": p.Entries[address] = int.Parse(f[2]); break;
                case "window": p.Windows[address] = int.Parse(f[2]); break;
                case "block": p.Leaders[address] = int.Parse(f[2]); break;
                case "code": p.Code.Add(Tuple.Create(address, Convert.ToUInt64(f[2], 16))); break;
                case "switch": p.Switches.Add(new Switch { Address = address, Id = int.Parse(f[2]), Base = int.Parse(f[3]), Offset = long.Parse(f[4]) }); break;
                }
            }
            foreach(var s in p.Switches)
            {
                var sw = s;
                sw.Hook = (c, pc) => p.Out.AppendFormat("s {0} {1} {2}\n", sw.Id, cpu.ExecutedInstructions, (Register(cpu, sw.Base) + (ulong)sw.Offset) & 0xffffffff);
            }
            if(!withInterruptHooks.Contains(cpu))
            {
                // Renode cannot remove these again: they stay on the CPU and record while a probe runs.
                withInterruptHooks.Add(cpu);
                cpu.AddHookAtInterruptBegin(_ => Running(cpu)?.ExceptionBegin());
                cpu.AddHookAtInterruptEnd(_ => Running(cpu)?.ExceptionEnd());
            }
            probes[cpu] = p;
            cpu.SetHookAtBlockBegin(p.BlockBegin);
        }

        /// <summary>Stops watching; the records stay (a saved state cannot hold the hooks).</summary>
        public static void TandemProbeDetach(this TranslationCPU cpu)
        {
            var p = Running(cpu);
            if(p == null || p.Detached)
            {
                return;
            }
            p.Detached = true;
            p.Switching(false);
            cpu.SetHookAtBlockBegin(null);
        }

        /// <summary>Stops watching and writes the records to `recordsFile`; returns how many.</summary>
        public static int TandemProbeFinish(this TranslationCPU cpu, string recordsFile)
        {
            TandemProbeDetach(cpu);
            var p = Running(cpu);
            probes.Remove(cpu);
            if(p == null)
            {
                File.WriteAllText(recordsFile, "");
                return 0;
            }
            p.FlushHits();
            File.WriteAllText(recordsFile, p.Out.ToString());
            return p.Out.Length;
        }

        private static Probe Running(TranslationCPU cpu)
        {
            return probes.TryGetValue(cpu, out var p) ? p : null;
        }

        private static ulong Register(TranslationCPU cpu, int n)
        {
            return cpu.GetRegister(n).RawValue & 0xffffffff;
        }

        private static readonly Dictionary<TranslationCPU, Probe> probes = new Dictionary<TranslationCPU, Probe>();
        private static readonly HashSet<TranslationCPU> withInterruptHooks = new HashSet<TranslationCPU>();

        private class Switch
        {
            public ulong Address;
            public int Id;
            public int Base;
            public long Offset;
            public CpuAddressHook Hook;
        }

        private class Probe
        {
            public Probe(TranslationCPU cpu)
            {
                this.cpu = cpu;
            }

            public void ExceptionBegin()
            {
                Resumed();
                Out.AppendFormat("e 0 {0} {1}\n", cpu.ExecutedInstructions, Register(cpu, 13));
            }

            /// <summary>
            /// Renode reports the return while the handler's stack is still current: the stack pointer
            /// of the code resumed is read when it next runs (or is interrupted again, tail-chained).
            /// </summary>
            public void ExceptionEnd()
            {
                returned = cpu.ExecutedInstructions;
            }

            private void Resumed()
            {
                if(returned.HasValue)
                {
                    Out.AppendFormat("e 1 {0} {1}\n", returned.Value, Register(cpu, 13));
                    returned = null;
                }
            }

            public void BlockBegin(ulong pc, uint size)
            {
                Resumed();
                if(Windows.TryGetValue(pc, out var window))
                {
                    FlushHits();
                    Out.AppendFormat("s {0} {1}\n", window, cpu.ExecutedInstructions);
                }
                if(open.Count > 0 && returns.Contains(pc))
                {
                    var key = Tuple.Create(pc, Register(cpu, 13));
                    if(open.TryGetValue(key, out var ids))
                    {
                        open.Remove(key);
                        for(var i = ids.Count - 1; i >= 0; i--)
                        {
                            Out.AppendFormat("x {0} {1}\n", ids[i], cpu.ExecutedInstructions);
                        }
                        if(open.Count == 0)
                        {
                            Switching(false);
                        }
                    }
                }
                if(Entries.TryGetValue(pc, out var entry))
                {
                    Out.AppendFormat("s {0} {1}\n", entry, cpu.ExecutedInstructions);
                    var ret = Register(cpu, 14) & ~1UL;
                    var key = Tuple.Create(ret, Register(cpu, 13));
                    if(!open.TryGetValue(key, out var ids))
                    {
                        open[key] = ids = new List<int>();
                    }
                    ids.Add(entry);
                    returns.Add(ret);
                    Switching(true);
                }
                foreach(var range in Code)
                {
                    if(pc >= range.Item1 && pc < range.Item2)
                    {
                        Covered(pc, size, range.Item2);
                        break;
                    }
                }
            }

            public void Switching(bool on)
            {
                if(on == switching)
                {
                    return;
                }
                switching = on;
                foreach(var s in Switches)
                {
                    if(on)
                    {
                        cpu.AddHook(s.Address, s.Hook);
                    }
                    else
                    {
                        cpu.RemoveHook(s.Address, s.Hook);
                    }
                }
            }

            public void FlushHits()
            {
                if(returned.HasValue)
                {
                    Out.AppendFormat("e 1 {0}\n", returned.Value);
                    returned = null;
                }
                foreach(var b in hit)
                {
                    Out.AppendFormat("h {0} 1\n", b);
                }
                hit.Clear();
            }

            /// <summary>The leaders among a block's `count` instructions (Thumb: 2 or 4 bytes each).</summary>
            private void Covered(ulong pc, uint count, ulong end)
            {
                var at = pc;
                for(var i = 0u; i < count && at < end; i++)
                {
                    if(Leaders.TryGetValue(at, out var leader))
                    {
                        hit.Add(leader);
                    }
                    var half = cpu.Bus.ReadWord(at);
                    at += (half >> 11) >= 0x1d ? 4UL : 2UL;
                }
            }

            public readonly Dictionary<ulong, int> Entries = new Dictionary<ulong, int>();
            public readonly Dictionary<ulong, int> Windows = new Dictionary<ulong, int>();
            public readonly Dictionary<ulong, int> Leaders = new Dictionary<ulong, int>();
            public readonly List<Tuple<ulong, ulong>> Code = new List<Tuple<ulong, ulong>>();
            public readonly List<Switch> Switches = new List<Switch>();
            public readonly StringBuilder Out = new StringBuilder();
            public bool Detached;

            private bool switching;
            private ulong? returned;
            private readonly TranslationCPU cpu;
            private readonly Dictionary<Tuple<ulong, ulong>, List<int>> open = new Dictionary<Tuple<ulong, ulong>, List<int>>();
            private readonly HashSet<ulong> returns = new HashSet<ulong>();
            private readonly HashSet<int> hit = new HashSet<int>();
        }
    }
}
