using TechMarket.Identity.Domain;
using TechMarket.Kernel.Members;

namespace TechMarket.Listings.Components;

internal static class MemberLevels
{
    public static VerificationLevel LevelOf(MemberCard card) =>
        card.IsEnterprise ? VerificationLevel.Enterprise : card.IsVerified ? VerificationLevel.Individual : VerificationLevel.None;
}
