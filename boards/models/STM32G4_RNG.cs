// True random number generator (RNG) of the STM32G4 series (RM0440 chapter 26: CR at 0x0, SR at
// 0x4, DR at 0x8; interrupt line 90 on the STM32G474).
//
// Zephyr's entropy_stm32 driver starts it at PRE_KERNEL_1 (RNGEN, then IE) and fills its entropy
// pools from the interrupt, reading SR and DR; anything that asks for entropy before the pools
// fill (ztress, the random test generator) waits on that interrupt. So the interrupt is the part
// that matters: without it a guest waits forever, printing nothing.
//
// Why our own model: Renode's stock one (STM32F4_RNG, renamed STM32_RNG with a series parameter
// in later releases) has the same three registers but keeps the interrupt line raised for as long
// as RNGEN and IE are set whatever SR says, leaves the error bits as unhandled tags, and draws
// 31-bit words (a positive C# int: bit 31 of DR is never set).
//
// What it models:
// - CR: RNGEN (bit 2), IE (bit 3), CED (bit 5, 1 = clock error detection off) as storage.
// - SR: DRDY (bit 0) is set whenever RNGEN is: the emulated entropy source has a new word ready at
//   every read (silicon needs ~46 RNG clock cycles per word; no firmware depends on being slower).
//   CECS (bit 1) and SECS (bit 2) read 0: the emulated clock and entropy source never fail. CEIS
//   (bit 5) and SEIS (bit 6) are the sticky interrupt flags, cleared by writing 0 (rc_w0), as
//   `inject` tests can raise them through `InjectSeedError` / `InjectClockError`.
// - DR: 32 random bits from the emulation's seeded generator (reproducible with a fixed seed);
//   0 while RNGEN is clear, and never 0 otherwise (RM0440: a 0 word after a seed error is invalid,
//   and Zephyr's driver treats one as an error).
// - IRQ: IE && (DRDY || CEIS || SEIS), re-evaluated on every access.
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.Tandem
{
    [AllowedTranslations(AllowedTranslation.ByteToDoubleWord | AllowedTranslation.WordToDoubleWord)]
    public sealed class STM32G4_RNG : BasicDoubleWordPeripheral, IKnownSize
    {
        public STM32G4_RNG(IMachine machine) : base(machine)
        {
            IRQ = new GPIO();
            DefineRegisters();
            Reset();
        }

        public override void Reset()
        {
            base.Reset();
            UpdateInterrupt();
        }

        public override uint ReadDoubleWord(long offset)
        {
            var value = base.ReadDoubleWord(offset);
            UpdateInterrupt();
            return value;
        }

        public override void WriteDoubleWord(long offset, uint value)
        {
            base.WriteDoubleWord(offset, value);
            UpdateInterrupt();
        }

        /// <summary>Raises SEIS (seed error), as the silicon does on a bad entropy sequence.</summary>
        public void InjectSeedError()
        {
            seedErrorInterrupt.Value = true;
            UpdateInterrupt();
        }

        /// <summary>Raises CEIS (clock error), as the silicon does when the RNG clock is too slow.</summary>
        public void InjectClockError()
        {
            clockErrorInterrupt.Value = true;
            UpdateInterrupt();
        }

        public GPIO IRQ { get; }

        public long Size => 0x400;

        private void DefineRegisters()
        {
            Registers.Control.Define(this, name: "RNG_CR")
                .WithReservedBits(0, 2)
                .WithFlag(2, out enabled, name: "RNGEN")
                .WithFlag(3, out interruptEnabled, name: "IE")
                .WithReservedBits(4, 1)
                .WithFlag(5, name: "CED")
                .WithReservedBits(6, 26);

            Registers.Status.Define(this, name: "RNG_SR")
                .WithFlag(0, FieldMode.Read, valueProviderCallback: _ => enabled.Value, name: "DRDY")
                .WithFlag(1, FieldMode.Read, valueProviderCallback: _ => false, name: "CECS")
                .WithFlag(2, FieldMode.Read, valueProviderCallback: _ => false, name: "SECS")
                .WithReservedBits(3, 2)
                .WithFlag(5, out clockErrorInterrupt, FieldMode.Read | FieldMode.WriteZeroToClear, name: "CEIS")
                .WithFlag(6, out seedErrorInterrupt, FieldMode.Read | FieldMode.WriteZeroToClear, name: "SEIS")
                .WithReservedBits(7, 25);

            Registers.Data.Define(this, name: "RNG_DR")
                .WithValueField(0, 32, FieldMode.Read, valueProviderCallback: _ => enabled.Value ? NextWord() : 0, name: "RNDATA");
        }

        private uint NextWord()
        {
            var generator = EmulationManager.Instance.CurrentEmulation.RandomGenerator;
            uint word;
            do
            {
                generator.NextBytes(buffer);
                word = (uint)(buffer[0] | buffer[1] << 8 | buffer[2] << 16 | buffer[3] << 24);
            }
            while(word == 0);
            return word;
        }

        private void UpdateInterrupt()
        {
            var pending = enabled.Value || clockErrorInterrupt.Value || seedErrorInterrupt.Value;
            IRQ.Set(interruptEnabled.Value && pending);
        }

        private readonly byte[] buffer = new byte[4];
        private IFlagRegisterField enabled;
        private IFlagRegisterField interruptEnabled;
        private IFlagRegisterField clockErrorInterrupt;
        private IFlagRegisterField seedErrorInterrupt;

        private enum Registers
        {
            Control = 0x0,
            Status = 0x4,
            Data = 0x8,
        }
    }
}
