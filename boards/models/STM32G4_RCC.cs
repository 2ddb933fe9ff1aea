// Reset and clock control (RCC) of the STM32G4 series, as seen by firmware (RM0440 register map).
//
// Renode ships no G4 RCC (renode issue #525), and none of the stock STM32 RCC models has the G4
// layout. A Python peripheral would do for a handful of registers, but Zephyr polls the ready bits in
// tight loops and Python peripherals are two orders of magnitude slower than C# ones, so this is a
// C# model, compiled by Renode at `include` time.
//
// What it models, and why:
// - Reset values of CR, ICSCR, CFGR, PLLCFGR, AHB1ENR, APB1ENR1 and CSR as the reference manual gives
//   them, so firmware that reads before it writes sees real silicon.
// - Every oscillator's ready flag follows its enable bit (HSI, HSE, PLL, LSI, LSE, HSI48) and the
//   system clock switch status follows the switch (CFGR.SWS <- CFGR.SW) once the selected source
//   runs. The emulated oscillators start instantly; what matters is that a polling loop terminates
//   and reads back what it expects. An oscillator in use (SYSCLK or the running PLL's input) cannot
//   be switched off, nor the PLL while it is SYSCLK.
// - The clock tree: SYSCLK comes from HSI16, HSE or the PLL (PLLCFGR: source, M, N, R) and HCLK from
//   the AHB prescaler. When an `nvic` is given, every clock-tree write that changes HCLK retunes the
//   SysTick to it, as the core clock does on silicon: firmware that programs another PLL ratio ticks
//   at the rate it programmed. Until the first such write the SysTick runs at the platform's nominal
//   clock (the NVIC's systickFrequency), because the NVIC restores that value on every reset.
// - Ready interrupt flags (CIFR) set on each ready edge, cleared through CICR, and the RCC global
//   interrupt when the matching CIER bit is set.
// - Peripheral clock enable, reset and sleep-mode enable registers, and the kernel clock selection
//   registers, are plain storage: the emulated peripherals run whether or not their clock is on.
//   Sleep-mode enable registers reset to 0 here (they only matter in Sleep mode, which is not
//   modelled).
using System;
using System.Collections.Generic;

using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.IRQControllers;

namespace Antmicro.Renode.Peripherals.Tandem
{
    [AllowedTranslations(AllowedTranslation.ByteToDoubleWord | AllowedTranslation.WordToDoubleWord)]
    public sealed class STM32G4_RCC : BasicDoubleWordPeripheral, IKnownSize
    {
        public STM32G4_RCC(IMachine machine, NVIC nvic = null, ulong hseFrequency = 24000000) : base(machine)
        {
            this.nvic = nvic;
            this.hseFrequency = hseFrequency;
            IRQ = new GPIO();
            DefineRegisters();
            Reset();
        }

        public override void Reset()
        {
            base.Reset();
            readyFlags = 0;
            lastReady = HsiReadyFlag;
            lastHclk = 0;
            IRQ.Unset();
        }

        public GPIO IRQ { get; }

        public long Size => 0x400;

        /// <summary>SYSCLK in Hz as selected by CFGR.SWS (monitor: `sysbus.rcc SystemClockHz`).</summary>
        public ulong SystemClockHz
        {
            get
            {
                switch(systemClockStatus.Value)
                {
                case 1: return HsiFrequency;
                case 2: return hseFrequency;
                case 3: return PllRFrequency;
                default: return HsiFrequency; // 0 is reserved on the G4; the hardware keeps HSI16
                }
            }
        }

        /// <summary>HCLK (AHB, core and SysTick clock) in Hz.</summary>
        public ulong HclkHz => SystemClockHz >> AhbShift(ahbPrescaler.Value);

        /// <summary>PLL "R" output (the one that can feed SYSCLK) in Hz; 0 when the PLL has no source.</summary>
        public ulong PllRFrequency
        {
            get
            {
                ulong input;
                switch(pllSource.Value)
                {
                case 2: input = HsiFrequency; break;
                case 3: input = hseFrequency; break;
                default: return 0;
                }
                var m = pllM.Value + 1;                // PLLM: 0..15 -> /1../16
                var n = pllN.Value;                    // PLLN: 8..127
                var r = 2 * (pllR.Value + 1);          // PLLR: 0..3 -> /2, /4, /6, /8
                return input / m * n / r;
            }
        }

        private void DefineRegisters()
        {
            Registers.ClockControl.Define(this, 0x00000500, name: "RCC_CR")
                .WithReservedBits(0, 8)
                .WithFlag(8, out hsiOn, name: "HSION", changeCallback: (_, __) => KeepClocksInUse())
                .WithFlag(9, name: "HSIKERON")
                .WithFlag(10, FieldMode.Read, valueProviderCallback: _ => hsiOn.Value, name: "HSIRDY")
                .WithReservedBits(11, 5)
                .WithFlag(16, out hseOn, name: "HSEON", changeCallback: (_, __) => KeepClocksInUse())
                .WithFlag(17, FieldMode.Read, valueProviderCallback: _ => hseOn.Value, name: "HSERDY")
                .WithFlag(18, name: "HSEBYP")
                .WithFlag(19, name: "CSSON")
                .WithReservedBits(20, 4)
                .WithFlag(24, out pllOn, name: "PLLON", changeCallback: (_, __) => KeepClocksInUse())
                .WithFlag(25, FieldMode.Read, valueProviderCallback: _ => pllOn.Value, name: "PLLRDY")
                .WithReservedBits(26, 6);

            // HSICAL is factory calibration (read-only, part-specific); HSITRIM resets to 0x40.
            Registers.InternalClockSourcesCalibration.Define(this, 0x40000000, name: "RCC_ICSCR")
                .WithReservedBits(0, 16)
                .WithValueField(16, 8, FieldMode.Read, name: "HSICAL")
                .WithValueField(24, 7, name: "HSITRIM")
                .WithReservedBits(31, 1);

            Registers.ClockConfiguration.Define(this, 0x00000005, name: "RCC_CFGR")
                .WithValueField(0, 2, out systemClockSwitch, name: "SW", writeCallback: (_, value) => SwitchSystemClock(value))
                .WithValueField(2, 2, out systemClockStatus, FieldMode.Read, name: "SWS")
                .WithValueField(4, 4, out ahbPrescaler, name: "HPRE", changeCallback: (_, __) => UpdateCoreClock())
                .WithValueField(8, 3, name: "PPRE1")
                .WithValueField(11, 3, name: "PPRE2")
                .WithReservedBits(14, 10)
                .WithValueField(24, 4, name: "MCOSEL")
                .WithValueField(28, 3, name: "MCOPRE")
                .WithReservedBits(31, 1);

            Registers.PllConfiguration.Define(this, 0x00001000, name: "RCC_PLLCFGR")
                .WithValueField(0, 2, out pllSource, name: "PLLSRC", changeCallback: (_, __) => UpdateCoreClock())
                .WithReservedBits(2, 2)
                .WithValueField(4, 4, out pllM, name: "PLLM", changeCallback: (_, __) => UpdateCoreClock())
                .WithValueField(8, 7, out pllN, name: "PLLN", changeCallback: (_, __) => UpdateCoreClock())
                .WithReservedBits(15, 1)
                .WithFlag(16, name: "PLLPEN")
                .WithFlag(17, name: "PLLP")
                .WithReservedBits(18, 2)
                .WithFlag(20, name: "PLLQEN")
                .WithValueField(21, 2, name: "PLLQ")
                .WithReservedBits(23, 1)
                .WithFlag(24, name: "PLLREN")
                .WithValueField(25, 2, out pllR, name: "PLLR", changeCallback: (_, __) => UpdateCoreClock())
                .WithValueField(27, 5, name: "PLLPDIV");

            Registers.ClockInterruptEnable.Define(this, name: "RCC_CIER")
                .WithValueField(0, 11, out interruptEnable, name: "xRDYIE", changeCallback: (_, __) => UpdateInterrupt())
                .WithReservedBits(11, 21);

            Registers.ClockInterruptFlag.Define(this, name: "RCC_CIFR")
                .WithValueField(0, 11, FieldMode.Read, valueProviderCallback: _ => readyFlags, name: "xRDYF")
                .WithReservedBits(11, 21);

            Registers.ClockInterruptClear.Define(this, name: "RCC_CICR")
                .WithValueField(0, 11, FieldMode.Write, writeCallback: (_, value) =>
                {
                    readyFlags &= ~(uint)value;
                    UpdateInterrupt();
                }, name: "xRDYC")
                .WithReservedBits(11, 21);

            // Reset, clock enable and sleep-mode clock enable registers: storage (see the header).
            Registers.Ahb1Reset.Define(this, name: "RCC_AHB1RSTR").WithValueField(0, 32, name: "AHB1RSTR");
            Registers.Ahb2Reset.Define(this, name: "RCC_AHB2RSTR").WithValueField(0, 32, name: "AHB2RSTR");
            Registers.Ahb3Reset.Define(this, name: "RCC_AHB3RSTR").WithValueField(0, 32, name: "AHB3RSTR");
            Registers.Apb1Reset1.Define(this, name: "RCC_APB1RSTR1").WithValueField(0, 32, name: "APB1RSTR1");
            Registers.Apb1Reset2.Define(this, name: "RCC_APB1RSTR2").WithValueField(0, 32, name: "APB1RSTR2");
            Registers.Apb2Reset.Define(this, name: "RCC_APB2RSTR").WithValueField(0, 32, name: "APB2RSTR");
            // FLASHEN (bit 8) is on out of reset: the core fetches from flash.
            Registers.Ahb1Enable.Define(this, 0x00000100, name: "RCC_AHB1ENR").WithValueField(0, 32, name: "AHB1ENR");
            Registers.Ahb2Enable.Define(this, name: "RCC_AHB2ENR").WithValueField(0, 32, name: "AHB2ENR");
            Registers.Ahb3Enable.Define(this, name: "RCC_AHB3ENR").WithValueField(0, 32, name: "AHB3ENR");
            // RTCAPBEN (bit 10) is on out of reset.
            Registers.Apb1Enable1.Define(this, 0x00000400, name: "RCC_APB1ENR1").WithValueField(0, 32, name: "APB1ENR1");
            Registers.Apb1Enable2.Define(this, name: "RCC_APB1ENR2").WithValueField(0, 32, name: "APB1ENR2");
            Registers.Apb2Enable.Define(this, name: "RCC_APB2ENR").WithValueField(0, 32, name: "APB2ENR");
            Registers.Ahb1SleepEnable.Define(this, name: "RCC_AHB1SMENR").WithValueField(0, 32, name: "AHB1SMENR");
            Registers.Ahb2SleepEnable.Define(this, name: "RCC_AHB2SMENR").WithValueField(0, 32, name: "AHB2SMENR");
            Registers.Ahb3SleepEnable.Define(this, name: "RCC_AHB3SMENR").WithValueField(0, 32, name: "AHB3SMENR");
            Registers.Apb1SleepEnable1.Define(this, name: "RCC_APB1SMENR1").WithValueField(0, 32, name: "APB1SMENR1");
            Registers.Apb1SleepEnable2.Define(this, name: "RCC_APB1SMENR2").WithValueField(0, 32, name: "APB1SMENR2");
            Registers.Apb2SleepEnable.Define(this, name: "RCC_APB2SMENR").WithValueField(0, 32, name: "APB2SMENR");
            Registers.PeripheralsIndependentClock.Define(this, name: "RCC_CCIPR").WithValueField(0, 32, name: "CCIPR");
            Registers.PeripheralsIndependentClock2.Define(this, name: "RCC_CCIPR2").WithValueField(0, 32, name: "CCIPR2");

            // Backup domain: LSE ready follows LSE on. (On silicon BDCR survives a system reset; here
            // it resets with the machine, which is what a fresh board on the bench looks like.)
            Registers.BackupDomainControl.Define(this, name: "RCC_BDCR")
                .WithFlag(0, out lseOn, name: "LSEON", changeCallback: (_, __) => UpdateReady())
                .WithFlag(1, FieldMode.Read, valueProviderCallback: _ => lseOn.Value, name: "LSERDY")
                .WithFlag(2, name: "LSEBYP")
                .WithValueField(3, 2, name: "LSEDRV")
                .WithFlag(5, name: "LSECSSON")
                .WithFlag(6, FieldMode.Read, name: "LSECSSD")
                .WithReservedBits(7, 1)
                .WithValueField(8, 2, name: "RTCSEL")
                .WithReservedBits(10, 5)
                .WithFlag(15, name: "RTCEN")
                .WithFlag(16, name: "BDRST")
                .WithReservedBits(17, 7)
                .WithFlag(24, name: "LSCOEN")
                .WithFlag(25, name: "LSCOSEL")
                .WithReservedBits(26, 6);

            // Reset flags: a power-on leaves PINRSTF and BORRSTF set; RMVF clears them all.
            Registers.ControlStatus.Define(this, 0x0C000000, name: "RCC_CSR")
                .WithFlag(0, out lsiOn, name: "LSION", changeCallback: (_, __) => UpdateReady())
                .WithFlag(1, FieldMode.Read, valueProviderCallback: _ => lsiOn.Value, name: "LSIRDY")
                .WithReservedBits(2, 21)
                .WithFlag(23, FieldMode.Write, writeCallback: (_, value) =>
                {
                    if(value)
                    {
                        resetFlags.Value = 0;
                    }
                }, name: "RMVF")
                .WithReservedBits(24, 1)
                .WithValueField(25, 7, out resetFlags, FieldMode.Read, name: "RSTF");

            Registers.ClockRecoveryRc.Define(this, name: "RCC_CRRCR")
                .WithFlag(0, out hsi48On, name: "HSI48ON", changeCallback: (_, __) => UpdateReady())
                .WithFlag(1, FieldMode.Read, valueProviderCallback: _ => hsi48On.Value, name: "HSI48RDY")
                .WithReservedBits(2, 5)
                .WithValueField(7, 9, FieldMode.Read, name: "HSI48CAL")
                .WithReservedBits(16, 16);
        }

        private void SwitchSystemClock(ulong requested)
        {
            // The switch only completes onto a running source; otherwise SWS keeps the old one,
            // which is what a polling `while(SWS != SW)` loop on silicon would spin on.
            var ready = requested == 1 ? hsiOn.Value : requested == 2 ? hseOn.Value : requested == 3 ? pllOn.Value : false;
            if(ready)
            {
                systemClockStatus.Value = requested;
                UpdateCoreClock();
            }
            else
            {
                this.Log(LogLevel.Warning, "SYSCLK switch to source {0} ignored: that oscillator is off", requested);
            }
        }

        private void KeepClocksInUse()
        {
            // As on silicon, an oscillator that clocks the system (directly or through the running
            // PLL) cannot be switched off: the enable bit stays set.
            var sws = systemClockStatus.Value;
            if(!pllOn.Value && sws == 3)
            {
                pllOn.Value = true;
            }
            var pllRunning = pllOn.Value;
            if(!hsiOn.Value && (sws == 1 || (pllRunning && pllSource.Value == 2)))
            {
                hsiOn.Value = true;
            }
            if(!hseOn.Value && (sws == 2 || (pllRunning && pllSource.Value == 3)))
            {
                hseOn.Value = true;
            }
            UpdateReady();
        }

        private void UpdateReady()
        {
            var now = (hsiOn.Value ? HsiReadyFlag : 0u)
                | (hseOn.Value ? HseReadyFlag : 0u)
                | (pllOn.Value ? PllReadyFlag : 0u)
                | (lsiOn.Value ? LsiReadyFlag : 0u)
                | (lseOn.Value ? LseReadyFlag : 0u)
                | (hsi48On.Value ? Hsi48ReadyFlag : 0u);
            // Flags latch on the rising edge of a ready bit only.
            readyFlags |= now & ~lastReady;
            lastReady = now;
            UpdateInterrupt();
            UpdateCoreClock();
        }

        private void UpdateInterrupt()
        {
            IRQ.Set((readyFlags & (uint)interruptEnable.Value) != 0);
        }

        private void UpdateCoreClock()
        {
            if(nvic == null)
            {
                return;
            }
            var hclk = HclkHz;
            if(hclk == 0 || hclk == lastHclk)
            {
                return;
            }
            lastHclk = hclk;
            try
            {
                nvic.Frequency = hclk;
                this.Log(LogLevel.Debug, "HCLK is now {0} Hz", hclk);
            }
            catch(Exception e)
            {
                this.Log(LogLevel.Warning, "Could not retune SysTick to {0} Hz: {1}", hclk, e.Message);
            }
        }

        private static int AhbShift(ulong hpre)
        {
            // HPRE: 0xxx = /1, 1000 = /2, 1001 = /4, 1010 = /8, 1011 = /16, 1100 = /64, 1101 = /128,
            // 1110 = /256, 1111 = /512 (there is no /32).
            if(hpre < 8)
            {
                return 0;
            }
            var shift = (int)(hpre - 7);
            return shift >= 5 ? shift + 1 : shift;
        }

        private IFlagRegisterField hsiOn;
        private IFlagRegisterField hseOn;
        private IFlagRegisterField pllOn;
        private IFlagRegisterField lsiOn;
        private IFlagRegisterField lseOn;
        private IFlagRegisterField hsi48On;
        private IValueRegisterField systemClockSwitch;
        private IValueRegisterField systemClockStatus;
        private IValueRegisterField ahbPrescaler;
        private IValueRegisterField pllSource;
        private IValueRegisterField pllM;
        private IValueRegisterField pllN;
        private IValueRegisterField pllR;
        private IValueRegisterField interruptEnable;
        private IValueRegisterField resetFlags;
        private uint readyFlags;
        private uint lastReady = HsiReadyFlag;
        private ulong lastHclk;

        private readonly NVIC nvic;
        private readonly ulong hseFrequency;

        private const ulong HsiFrequency = 16000000;

        // CIFR/CIER bit positions.
        private const uint LsiReadyFlag = 1u << 0;
        private const uint LseReadyFlag = 1u << 1;
        private const uint HsiReadyFlag = 1u << 3;
        private const uint HseReadyFlag = 1u << 4;
        private const uint PllReadyFlag = 1u << 5;
        private const uint Hsi48ReadyFlag = 1u << 10;

        private enum Registers
        {
            ClockControl = 0x00,
            InternalClockSourcesCalibration = 0x04,
            ClockConfiguration = 0x08,
            PllConfiguration = 0x0C,
            ClockInterruptEnable = 0x18,
            ClockInterruptFlag = 0x1C,
            ClockInterruptClear = 0x20,
            Ahb1Reset = 0x28,
            Ahb2Reset = 0x2C,
            Ahb3Reset = 0x30,
            Apb1Reset1 = 0x38,
            Apb1Reset2 = 0x3C,
            Apb2Reset = 0x40,
            Ahb1Enable = 0x48,
            Ahb2Enable = 0x4C,
            Ahb3Enable = 0x50,
            Apb1Enable1 = 0x58,
            Apb1Enable2 = 0x5C,
            Apb2Enable = 0x60,
            Ahb1SleepEnable = 0x68,
            Ahb2SleepEnable = 0x6C,
            Ahb3SleepEnable = 0x70,
            Apb1SleepEnable1 = 0x78,
            Apb1SleepEnable2 = 0x7C,
            Apb2SleepEnable = 0x80,
            PeripheralsIndependentClock = 0x88,
            BackupDomainControl = 0x90,
            ControlStatus = 0x94,
            ClockRecoveryRc = 0x98,
            PeripheralsIndependentClock2 = 0x9C,
        }
    }
}
