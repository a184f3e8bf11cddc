-- wrk script: varied searches instead of the fixed 12, to see the result cache at a realistic hit rate.
-- DISTINCT=600: a fixed set of 600 distinct searches (fits the 4,096-entry cache: after each one has been seen once,
-- every search is a hit); DISTINCT=0: a new random combination each time (~1.6 million possible, nearly all misses).
-- Words come from the generator's phrase tables (DemoText); one or two words, a filter or none, a sort, a page.
-- Usage: DISTINCT=600 wrk -t2 -c16 -d15s --latency -s bench/TechMarket.Listings.Bench/varied.lua http://127.0.0.1:5099
local words = {
  "深度学习", "联邦学习", "边缘计算", "知识图谱", "区块链", "图像识别", "语音识别", "工业质检", "智能客服", "人工智能",
  "基因编辑", "单克隆抗体", "纳米递送", "肿瘤早筛", "疫苗", "医疗器械", "诊断试剂", "合成生物学", "精准医疗", "生物农药",
  "无人机", "卫星遥感", "惯性导航", "飞控算法", "航空发动机", "低空物流", "石墨烯", "纳米涂层", "高熵合金", "碳纤维",
  "锂电池", "耐高温陶瓷", "可降解塑料", "数字孪生", "云原生", "检验检测", "工业设计", "钙钛矿", "固态电解质", "氢燃料电池",
  "光伏组件", "储能系统", "充电桩", "热泵", "膜分离", "土壤修复", "碳捕集", "污水处理", "重金属去除", "机器视觉",
  "激光焊接", "工业机器人", "PLC控制", "减速器", "伺服电机", "数控机床", "battery", "recycling", "sensor", "智能",
}
local filters = { "", "&field=NewEnergy", "&region=44", "&type=Patent", "&mode=Transfer" }
local sorts = { "", "&sort=Newest", "&sort=PriceAsc" }
local distinct = tonumber(os.getenv("DISTINCT") or "600")

local function encode(s)
  return (string.gsub(s, "[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function random_path(rand)
  local q = words[rand(#words)]
  if rand(2) == 1 then q = q .. " " .. words[rand(#words)] end
  return "/api/v1/search?q=" .. encode(q) .. filters[rand(#filters)] .. sorts[rand(#sorts)] .. "&page=" .. rand(3)
end

local paths = {}
if distinct > 0 then
  -- The same set on every thread and run: a seeded generator, duplicates skipped.
  math.randomseed(20261123)
  local seen = {}
  while #paths < distinct do
    local p = random_path(math.random)
    if not seen[p] then seen[p] = true; paths[#paths + 1] = p end
  end
end

local thread_seed = 0
function setup(thread)
  thread_seed = thread_seed + 1
  thread:set("seed", thread_seed)
end

function init(args)
  math.randomseed(os.time() + (seed or 0) * 7919)
end

function request()
  if distinct > 0 then
    return wrk.format("GET", paths[math.random(#paths)])
  end
  return wrk.format("GET", random_path(math.random))
end
