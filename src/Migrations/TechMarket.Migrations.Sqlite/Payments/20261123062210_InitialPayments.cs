using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TechMarket.Migrations.Sqlite.Payments
{
    /// <inheritdoc />
    public partial class InitialPayments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "payments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PayerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PayeeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Amount = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Gateway = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ProviderTradeNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    PaidAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Released = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: false),
                    Refunded = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: false),
                    RefundsPending = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: false),
                    FeesCharged = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "payments_audit_log",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    ActorId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SubjectType = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SubjectId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payments_audit_log", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "payments_ledger_entries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PostingId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Account = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    MemberId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Debit = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: false),
                    Credit = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    PaymentId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payments_ledger_entries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "payments_reconciliation_differences",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Day = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Movement = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ProviderTradeNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    LedgerAmount = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: true),
                    ProviderAmount = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payments_reconciliation_differences", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "payments_reconciliation_runs",
                columns: table => new
                {
                    Day = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Node = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Differences = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payments_reconciliation_runs", x => x.Day);
                });

            migrationBuilder.CreateTable(
                name: "payments_security_events",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    RemoteAddress = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payments_security_events", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "payments_withdrawals",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    MemberId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Amount = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: false),
                    BankName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AccountNumber = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    AccountName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DecidedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payments_withdrawals", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "payments_refunds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PaymentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RequestNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Amount = table.Column<decimal>(type: "TEXT", precision: 18, scale: 2, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    RequestedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payments_refunds", x => x.Id);
                    table.ForeignKey(
                        name: "FK_payments_refunds_payments_PaymentId",
                        column: x => x.PaymentId,
                        principalTable: "payments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_payments_PayeeId",
                table: "payments",
                column: "PayeeId");

            migrationBuilder.CreateIndex(
                name: "IX_payments_PayerId",
                table: "payments",
                column: "PayerId");

            migrationBuilder.CreateIndex(
                name: "IX_payments_ProviderTradeNo",
                table: "payments",
                column: "ProviderTradeNo",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_payments_Reference",
                table: "payments",
                column: "Reference",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_payments_Status_CreatedAt",
                table: "payments",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_payments_audit_log_At",
                table: "payments_audit_log",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_payments_audit_log_SubjectType_SubjectId",
                table: "payments_audit_log",
                columns: new[] { "SubjectType", "SubjectId" });

            migrationBuilder.CreateIndex(
                name: "IX_payments_ledger_entries_Account",
                table: "payments_ledger_entries",
                column: "Account");

            migrationBuilder.CreateIndex(
                name: "IX_payments_ledger_entries_MemberId",
                table: "payments_ledger_entries",
                column: "MemberId");

            migrationBuilder.CreateIndex(
                name: "IX_payments_ledger_entries_PaymentId",
                table: "payments_ledger_entries",
                column: "PaymentId");

            migrationBuilder.CreateIndex(
                name: "IX_payments_ledger_entries_PostingId",
                table: "payments_ledger_entries",
                column: "PostingId");

            migrationBuilder.CreateIndex(
                name: "IX_payments_reconciliation_differences_Day",
                table: "payments_reconciliation_differences",
                column: "Day");

            migrationBuilder.CreateIndex(
                name: "IX_payments_refunds_PaymentId",
                table: "payments_refunds",
                column: "PaymentId");

            migrationBuilder.CreateIndex(
                name: "IX_payments_refunds_RequestNo",
                table: "payments_refunds",
                column: "RequestNo",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_payments_security_events_At",
                table: "payments_security_events",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_payments_withdrawals_MemberId",
                table: "payments_withdrawals",
                column: "MemberId");

            migrationBuilder.CreateIndex(
                name: "IX_payments_withdrawals_Status_RequestedAt",
                table: "payments_withdrawals",
                columns: new[] { "Status", "RequestedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "payments_audit_log");

            migrationBuilder.DropTable(
                name: "payments_ledger_entries");

            migrationBuilder.DropTable(
                name: "payments_reconciliation_differences");

            migrationBuilder.DropTable(
                name: "payments_reconciliation_runs");

            migrationBuilder.DropTable(
                name: "payments_refunds");

            migrationBuilder.DropTable(
                name: "payments_security_events");

            migrationBuilder.DropTable(
                name: "payments_withdrawals");

            migrationBuilder.DropTable(
                name: "payments");
        }
    }
}
